// The generated set in chunks, for writers that stream (same bytes as `generateSynthetic`).
import Dispatch

/// Chunks of the generated set in index order; concatenated they equal `generateSynthetic(config)`.
public struct SyntheticChunks: Sequence, IteratorProtocol {
    public let config: SyntheticConfig
    public let classes: SyntheticClasses
    private let chunkSize: Int
    private let threads: Int
    private var position = 0

    public init(_ config: SyntheticConfig, chunkSize: Int = 1024, threads: Int = 2) throws(DatasetsError) {
        try config.validate()
        guard chunkSize > 0, threads > 0 else {
            throw .invalidParameter(name: "chunkSize/threads", value: "\(chunkSize)/\(threads)", expected: "> 0")
        }
        self.config = config
        self.classes = syntheticClasses(config)
        self.chunkSize = chunkSize
        self.threads = threads
    }

    /// The next chunk of images (with their labels), or nil after the last one.
    public mutating func next() -> LabelledImages? {
        guard position < config.count else { return nil }
        let range = position..<Swift.min(position + chunkSize, config.count)
        position = range.upperBound
        let plane = 3 * config.size * config.size
        let out = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: range.count * plane)
        defer { out.deallocate() }
        let target = UnsafeSendable(out), config = self.config, content = Array(classes.content[range])
        let workers = Swift.max(1, Swift.min(threads, range.count)), first = range.lowerBound
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for j in stride(from: worker, to: content.count, by: workers) {
                renderSynthetic(config, index: first + j, content: content[j],
                                into: UnsafeMutableBufferPointer(rebasing: target.value[(j * plane)..<((j + 1) * plane)]))
            }
        }
        return LabelledImages(pixels: Array(out), labels: Array(classes.labels[range]), size: config.size)
    }
}
