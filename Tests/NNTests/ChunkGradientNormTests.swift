// The noise scale's small batches: each fixed chunk's gradient norm as the Network reports it
// equals the norm of that chunk's gradient computed on its own, and asking for them changes
// neither the batch gradient's bits nor, with the thread count, the norms' bits.
import XCTest
@testable import NN
import Tensor
import TestSupport

final class ChunkGradientNormTests: XCTestCase {
    let spec = ModelSpec(channels: 3, height: 16, width: 16, convWidths: [4, 8], denseWidths: [16])
    let batch = 21  // chunks of 8, 8 and 5

    func gradients(threads: Int) throws -> (plain: [Float], withNorms: [Float], norms: ChunkGradientNorms, perChunk: [Double]) {
        let model = try Model(spec)
        let net = Network(model: model, maxBatch: batch, threads: threads)
        let theta = model.initialParameters(seed: 3)
        let images = TestData.uniform(batch * spec.inputSize, seed: 11)
        let labels = TestData.labels(batch, seed: 12)
        var plain = [Float](repeating: 0, count: theta.count), withNorms = plain, single = plain
        var norms = ChunkGradientNorms()
        theta.withUnsafeBufferPointer { t in images.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in
            _ = plain.withUnsafeMutableBufferPointer { net.gradient(parameters: t, images: x, labels: y, gradient: $0) }
            _ = withNorms.withUnsafeMutableBufferPointer { net.gradient(parameters: t, images: x, labels: y, gradient: $0, chunks: &norms) }
        } } }
        // Each chunk on its own: its SUM gradient's squared norm.
        var perChunk: [Double] = []
        let part = ChunkPartition(count: batch, chunkSize: Network.chunkSize)
        for c in 0..<part.chunkCount {
            let r = part.range(ofChunk: c), size = spec.inputSize
            theta.withUnsafeBufferPointer { t in images.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in
                _ = single.withUnsafeMutableBufferPointer {
                    net.gradient(parameters: t, images: UnsafeBufferPointer(rebasing: x[(r.lowerBound * size)..<(r.upperBound * size)]),
                                 labels: UnsafeBufferPointer(rebasing: y[r]), gradient: $0)
                }
            } } }
            perChunk.append(single.reduce(0.0) { $0 + Double($1) * Double($1) })
        }
        return (plain, withNorms, norms, perChunk)
    }

    func testChunkNormsEqualEachChunksOwnGradientAndLeaveTheBatchGradientsBitsAlone() throws {
        let (plain, withNorms, norms, perChunk) = try gradients(threads: 2)
        XCTAssertEqual(plain.map(\.bitPattern), withNorms.map(\.bitPattern), "asking for chunk norms changes the gradient")
        XCTAssertEqual(norms.chunks, 3)
        XCTAssertEqual(norms.inverseSizeSum, 1.0 / 8 + 1.0 / 8 + 1.0 / 5, accuracy: 1e-15)
        let expected = perChunk[0] / 64 + perChunk[1] / 64 + perChunk[2] / 25
        if let failure = Closeness.check([norms.meanSquaredNormSum], [expected], atol: 0, rtol: 1e-5, label: "Σ|g_c/b_c|²") {
            XCTFail(failure)
        }
        XCTAssertTrue(perChunk.allSatisfy { $0 > 0 })
    }

    func testChunkNormsDoNotDependOnTheThreadCount() throws {
        let one = try gradients(threads: 1), two = try gradients(threads: 2)
        XCTAssertEqual(one.norms.meanSquaredNormSum.bitPattern, two.norms.meanSquaredNormSum.bitPattern)
        XCTAssertEqual(one.withNorms.map(\.bitPattern), two.withNorms.map(\.bitPattern))
    }

    func testNormsAddAcrossBatchesAndRanks() {
        var a = ChunkGradientNorms(), b = ChunkGradientNorms()
        a.add(sumSquaredNorm: 64, size: 8)   // |g/8|² = 1
        b.add(sumSquaredNorm: 16, size: 4)   // |g/4|² = 1
        b.add(sumSquaredNorm: 36, size: 2)   // |g/2|² = 9
        let sum = a + b
        XCTAssertEqual(sum.chunks, 3)
        XCTAssertEqual(sum.meanSquaredNorm, 11.0 / 3)
        XCTAssertEqual(sum.effectiveSize!, 3 / (1.0 / 8 + 1.0 / 4 + 1.0 / 2), accuracy: 1e-12)
        XCTAssertNil(ChunkGradientNorms().meanSquaredNorm)
    }
}
