// Images and labels as the network reads them, in memory: what training, evaluation and every
// landscape analysis iterate over. Decoding and splitting image files is Datasets' and Study's job.
import Tensor

/// Images as the network reads them. images: (N, C, H, W) float32 in [0, 1] · labels: (N) of 0/1.
public struct TrainingData: Sendable {
    public var images: [Float]
    public var labels: [Float]
    public var count: Int { labels.count }

    public init(images: [Float], labels: [Float]) {
        self.images = images
        self.labels = labels
    }

    /// Selects `indices` of a uint8 (N, imageSize) set, scaling pixels by 1/255 (as Keras' rescale does).
    public init(pixels: [UInt8], labels: [UInt8], imageSize: Int, indices: [Int]) {
        var images = [Float](repeating: 0, count: indices.count * imageSize)
        images.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { src in
                for (row, i) in indices.enumerated() {
                    for j in 0..<imageSize { out[row * imageSize + j] = Float(src[i * imageSize + j]) / 255 }
                }
            }
        }
        self.images = images
        self.labels = indices.map { Float(labels[$0]) }
    }
}

extension TrainingData {
    /// A seeded subset of `count` images (all of them when count ≤ 0 or ≥ the set), in ascending
    /// index order so that the evaluation order (and with it every float sum) is fixed by (count, seed).
    public func subset(count: Int, seed: UInt64) -> TrainingData {
        guard count > 0, count < self.count else { return self }
        var generator = SeededGenerator(seed: seed)
        var indices = Array(0..<self.count)
        for i in 0..<count {  // partial Fisher–Yates: the first `count` slots are a uniform sample
            let j = i + Int(generator.next() % UInt64(self.count - i))
            indices.swapAt(i, j)
        }
        let chosen = indices[0..<count].sorted()
        let size = images.count / self.count
        var outImages = [Float](); outImages.reserveCapacity(count * size)
        for i in chosen { outImages.append(contentsOf: images[(i * size)..<((i + 1) * size)]) }
        return TrainingData(images: outImages, labels: chosen.map { labels[$0] })
    }
}

extension TrainingData {
    /// The images and labels as buffers, for the network's allocation-free entry points.
    public func withBuffers<R>(_ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try images.withUnsafeBufferPointer { images in try labels.withUnsafeBufferPointer { try body(images, $0) } }
    }
}
