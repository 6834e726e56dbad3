// The noise scale against PyTorch (scripts/reference/noise_scale_oracle.py): a tiny network's
// per-example gradients in float64 autograd, cut into the Network's batches and 8-image chunks.
// BatchLab's chain — Network chunk norms → NoiseScaleEstimate → NoiseScaleWindow — must give the
// same chunk norms, estimates and window; averaged over many shuffled epochs it must approach the
// set's exact |G|² and tr(S).
import Foundation
import NN
import Tensor
import TestSupport
@testable import Training
import XCTest

struct NoiseScaleFixture: Decodable {
    struct Batch: Decodable {
        var indices: [Int]
        var batchMeanSquaredNorm: Double
        var chunkMeanSquaredNorms: [Double]
        var chunkSizes: [Int]
        var independent: [Double]?, finitePopulation: [Double]?
    }
    struct Values: Decodable { var gradientSquared: Double, trace: Double, bSimple: Double; var batches: Int? }
    var generator: String
    var spec: ModelSpec
    var images: [Float], labels: [Float], parameters: [Float]
    var chunkSize: Int
    var batches: [Batch]
    var window: Values
    var population: Values

    static func load() throws -> NoiseScaleFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/noise-scale-tiny.json")
        return try JSONDecoder().decode(NoiseScaleFixture.self, from: Data(contentsOf: url))
    }
}

final class NoiseScaleOracleTests: XCTestCase {
    func check(_ actual: [Double], _ expected: [Double], rtol: Double, _ label: String, line: UInt = #line) {
        if let failure = Closeness.check(actual, expected, atol: 1e-9, rtol: rtol, label: label) { XCTFail(failure, line: line) }
    }

    /// One batch through the Network: its |G_B|² and chunk norms, and the estimate.
    func run(_ net: Network, _ f: NoiseScaleFixture, indices: [Int], gradient: inout [Float])
        -> (big: Double, chunks: ChunkGradientNorms, estimate: NoiseScaleEstimate?) {
        let size = f.spec.inputSize
        let x = indices.flatMap { f.images[($0 * size)..<(($0 + 1) * size)] }, y = indices.map { f.labels[$0] }
        var chunks = ChunkGradientNorms()
        f.parameters.withUnsafeBufferPointer { t in x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in
            _ = gradient.withUnsafeMutableBufferPointer { net.gradient(parameters: t, images: x, labels: y, gradient: $0, chunks: &chunks) }
        } } }
        let big = gradient.withUnsafeBufferPointer { meanSquaredNorm(sumGradient: $0, count: indices.count) }
        return (big, chunks, NoiseScaleEstimate(batchMeanSquaredNorm: big, batchSize: indices.count, chunks: chunks,
                                                population: f.labels.count))
    }

    func testChunkNormsEstimatesAndWindowMatchPyTorch() throws {
        let f = try NoiseScaleFixture.load()
        XCTAssertEqual(f.chunkSize, Network.chunkSize)
        let net = Network(model: try Model(f.spec), maxBatch: 32, threads: 2)
        var gradient = [Float](repeating: 0, count: f.parameters.count)
        var window = NoiseScaleWindow()
        for (k, batch) in f.batches.enumerated() {
            let (big, chunks, estimate) = run(net, f, indices: batch.indices, gradient: &gradient)
            check([big], [batch.batchMeanSquaredNorm], rtol: 1e-5, "batch \(k) |G_B|²")
            let expectedSmall = batch.chunkMeanSquaredNorms.reduce(0, +)
            check([chunks.meanSquaredNormSum], [expectedSmall], rtol: 1e-5, "batch \(k) Σ|G_b|²")
            XCTAssertEqual(chunks.chunks, batch.chunkSizes.count)
            if let expected = batch.finitePopulation {
                guard let estimate else { XCTFail("batch \(k): no estimate, PyTorch has one"); continue }
                check([estimate.gradientSquared, estimate.trace], expected, rtol: 1e-4, "batch \(k) (|G|², tr Σ)")
                let independent = NoiseScaleEstimate(batchMeanSquaredNorm: big, batchSize: batch.indices.count, chunks: chunks,
                                                     population: nil)!
                check([independent.gradientSquared, independent.trace], batch.independent!, rtol: 1e-4, "batch \(k) independent")
            } else {
                XCTAssertNil(estimate, "batch \(k) of one chunk has no estimate")
            }
            window.add(estimate)
        }
        XCTAssertEqual(window.epoch.batches, f.window.batches)
        check([window.epoch.gradientSquared, window.epoch.trace, window.epoch.bSimple],
              [f.window.gradientSquared, f.window.trace, f.window.bSimple], rtol: 1e-4, "epoch window")
    }

    /// Unbiasedness on the real network: 600 shuffled epochs of batches of 16 (chunks of 8) over the
    /// 64 images; the means are within 4 standard errors of PyTorch's exact population values.
    func testAveragedOverEpochsTheEstimatesApproachTheExactPopulationValues() throws {
        let f = try NoiseScaleFixture.load()
        let net = Network(model: try Model(f.spec), maxBatch: 16, threads: 2)
        var gradient = [Float](repeating: 0, count: f.parameters.count)
        var rng = TestGaussian(state: 5)
        var g2: [Double] = [], trace: [Double] = []
        var order = Array(0..<f.labels.count)
        for _ in 0..<600 {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.uniform() * Double(i + 1))) }
            for start in stride(from: 0, to: order.count, by: 16) {
                let e = run(net, f, indices: Array(order[start..<(start + 16)]), gradient: &gradient).estimate!
                g2.append(e.gradientSquared)
                trace.append(e.trace)
            }
        }
        let (gm, gse) = meanAndError(g2), (tm, tse) = meanAndError(trace)
        print(String(format: "noise scale, tiny network: |G|² %.4f ± %.4f (exact %.4f), tr(S) %.3f ± %.3f (exact %.3f)",
                     gm, gse, f.population.gradientSquared, tm, tse, f.population.trace))
        XCTAssertLessThan(abs(gm - f.population.gradientSquared), 4 * gse)
        XCTAssertLessThan(abs(tm - f.population.trace), 4 * tse)
        XCTAssertLessThan(tse, 0.05 * f.population.trace)
        XCTAssertLessThan(gse, 0.25 * f.population.gradientSquared)
    }
}
