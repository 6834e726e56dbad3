// Bit-for-bit determinism across runs and thread counts, the SGD update norm, and evaluation.
import XCTest
@testable import NN
import Tensor

final class DeterminismAndSGDTests: XCTestCase {
    /// Trains `steps` SGD steps on fixed batches and returns the final parameters and update norms.
    func train(_ spec: ModelSpec, threads: Int, steps: Int, batch: Int, engine: ConvEngine = .preferred) throws -> ([Float], [Double]) {
        let model = try Model(spec)
        let net = Network(model: model, maxBatch: batch, threads: threads, convEngine: engine)
        var theta = model.initialParameters(seed: 7)
        var grad = [Float](repeating: 0, count: theta.count)
        var norms: [Double] = []
        for step in 0..<steps {
            let images = TestData.uniform(batch * spec.inputSize, seed: UInt64(100 + step))
            let labels = TestData.labels(batch, seed: UInt64(200 + step))
            let stats = theta.withUnsafeBufferPointer { t in images.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in
                grad.withUnsafeMutableBufferPointer { net.gradient(parameters: t, images: x, labels: y, gradient: $0) } } } }
            norms.append(SGD.step(parameters: &theta, gradientSum: grad, count: stats.count, learningRate: 0.05))
        }
        return (theta, norms)
    }

    func testSameRunTwiceAndOneVersusTwoThreadsGiveTheSameBits() throws {
        let batch = 20  // chunks of 8, 8, 4
        let (a, na) = try train(.study32, threads: 1, steps: 3, batch: batch)
        let (b, nb) = try train(.study32, threads: 1, steps: 3, batch: batch)
        let (c, nc) = try train(.study32, threads: 2, steps: 3, batch: batch)
        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "two runs, same bits")
        XCTAssertEqual(a.map(\.bitPattern), c.map(\.bitPattern), "1 vs 2 threads, same bits")
        XCTAssertEqual(na, nb)
        XCTAssertEqual(na, nc)
        XCTAssertTrue(na.allSatisfy { $0 > 0 })
    }

    /// Every engine the CPU has is deterministic across thread counts, and the own kernels (AVX-512,
    /// AVX2) give each other's bits: both are one FMA chain per element, routed to the same layers.
    func testEveryEngineIsThreadCountIndependentAndTheKernelSetsAgreeBitForBit() throws {
        let engines = ConvEngine.allCases.filter(\.isAvailable)
        var kernelBits: [(ConvEngine, [UInt32])] = []
        for engine in engines {
            let (one, _) = try train(.study64, threads: 1, steps: 2, batch: 12, engine: engine)
            let (two, _) = try train(.study64, threads: 2, steps: 2, batch: 12, engine: engine)
            XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern), "\(engine): 1 vs 2 threads")
            if engine.hasOwnKernels { kernelBits.append((engine, one.map(\.bitPattern))) }
        }
        for (engine, bits) in kernelBits.dropFirst() {
            XCTAssertEqual(bits, kernelBits[0].1, "\(engine) vs \(kernelBits[0].0)")
        }
        print("network determinism tested on conv engines: \(engines.map(\.rawValue).joined(separator: ", "))")
    }

    func testUpdateNormIsTheNormOfTheParameterChange() {
        let theta0 = TestData.uniform(1000, seed: 1), g = TestData.uniform(1000, seed: 2, scale: 3)
        var theta = theta0
        let norm = SGD.step(parameters: &theta, gradientSum: g, count: 4, learningRate: 0.1)
        let expected = (g.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot() * 0.1 / 4
        XCTAssertEqual(norm, expected, accuracy: expected * 1e-6)
        let moved = zip(theta, theta0).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
        XCTAssertEqual(moved, norm, accuracy: norm * 1e-5)
        XCTAssertEqual(theta[5], theta0[5] - 0.1 / 4 * g[5], accuracy: 1e-7)
    }

    func testEvaluationMatchesTheTrainingForwardPassAndSplitsIntoBatches() throws {
        let spec = GradientCheckTests.tiny
        let model = try Model(spec)
        let theta = model.initialParameters(seed: 3)
        let n = 37
        let images = TestData.uniform(n * spec.inputSize, seed: 4), labels = TestData.labels(n, seed: 5)
        let small = Network(model: model, maxBatch: 10, threads: 2), big = Network(model: model, maxBatch: 64, threads: 1)
        let a = try theta.withUnsafeBufferPointer { t in try images.withUnsafeBufferPointer { x in try labels.withUnsafeBufferPointer {
            try small.evaluateDataset(parameters: t, images: x, labels: $0) } } }
        var grad = [Float](repeating: 0, count: theta.count)
        let b = theta.withUnsafeBufferPointer { t in images.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in
            grad.withUnsafeMutableBufferPointer { big.gradient(parameters: t, images: x, labels: y, gradient: $0) } } } }
        XCTAssertEqual(a.count, n)
        XCTAssertEqual(a.correct, b.correct)
        XCTAssertEqual(a.lossSum, b.lossSum, accuracy: 1e-9 * Double(n), "per-example losses are identical; only the sum order differs")
        let reference = Reference.lossSum(spec: spec, theta: doubles(theta), images: doubles(images), labels: doubles(labels))
        XCTAssertEqual(a.meanLoss, reference / Double(n), accuracy: 1e-6)
        XCTAssertThrowsError(try theta.withUnsafeBufferPointer { t in try images.withUnsafeBufferPointer { x in
            try labels.withUnsafeBufferPointer { try small.evaluateDataset(parameters: t, images: UnsafeBufferPointer(rebasing: x.dropLast()), labels: $0) } } })
    }
}
