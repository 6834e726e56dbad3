// The gradient noise scale (issue 14 §1): McCandlish et al.'s two-batch-size estimator on linear
// regression with Gaussian noise, where |G|² and tr(Σ) are known in closed form (independent draws,
// and a finite training set drawn without replacement as SGD does), and the training loop's record
// of it, which must leave θ's trajectory bit for bit as it was.
import Foundation
import NN
@testable import Training
import XCTest

/// Linear regression y = wᵀx + ε, x ~ N(0, I_d), ε ~ N(0, σ²), loss ½(θᵀx − y)², at θ = w + Δ.
/// Per-example gradient g = x(xᵀΔ − ε): G = Δ, and by Isserlis' theorem
/// Σ = E[ggᵀ] − GGᵀ = ΔΔᵀ + (|Δ|² + σ²)I, so tr(Σ) = (d + 1)|Δ|² + dσ².
struct GaussianRegression {
    let delta: [Double]
    let sigma: Double
    var d: Int { delta.count }
    var gradientSquared: Double { delta.reduce(0) { $0 + $1 * $1 } }
    var trace: Double { Double(d + 1) * gradientSquared + Double(d) * sigma * sigma }

    func example(_ rng: inout TestGaussian) -> [Double] {
        let x = (0..<d).map { _ in rng.next() }
        let residual = zip(x, delta).reduce(0) { $0 + $1.0 * $1.1 } - sigma * rng.next()
        return x.map { $0 * residual }
    }
}

/// SplitMix64 + Box–Muller: the tests' own Gaussian stream.
struct TestGaussian {
    var state: UInt64
    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (Double((z ^ (z >> 31)) >> 11) + 0.5) / 9_007_199_254_740_992
    }
    mutating func next() -> Double {
        (-2 * Foundation.log(uniform())).squareRoot() * Foundation.cos(2 * Double.pi * uniform())
    }
}

/// What the training loop does for one batch: chunk sums of `chunk` examples, then the estimate.
func estimateBatch(_ gradients: [[Double]], chunk: Int, population: Int?) -> NoiseScaleEstimate? {
    func sum(_ rows: ArraySlice<[Double]>) -> [Double] {
        rows.dropFirst().reduce(rows.first!) { acc, g in zip(acc, g).map { $0 + $1 } }
    }
    func squared(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 } }
    var chunks = ChunkGradientNorms()
    for start in stride(from: 0, to: gradients.count, by: chunk) {
        let rows = gradients[start..<min(gradients.count, start + chunk)]
        chunks.add(sumSquaredNorm: squared(sum(rows)), size: rows.count)
    }
    let n = Double(gradients.count)
    return NoiseScaleEstimate(batchMeanSquaredNorm: squared(sum(gradients[...])) / (n * n), batchSize: gradients.count,
                              chunks: chunks, population: population)
}

/// Mean and standard error of a sample.
func meanAndError(_ v: [Double]) -> (mean: Double, se: Double) {
    let m = v.reduce(0, +) / Double(v.count)
    let s2 = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)
    return (m, (s2 / Double(v.count)).squareRoot())
}

final class NoiseScaleTests: XCTestCase {
    let problem = GaussianRegression(delta: [0.6, -0.3, 0.5, 0.2, -0.4, 0.1, 0.3, -0.2, 0.35, -0.25], sigma: 0.8)

    /// Independent draws: the estimates' means over 3,000 batches of 64 (chunks of 8) are within
    /// 4 standard errors of the closed form, and those errors are small enough to make that a test.
    func testEstimatorIsUnbiasedOnGaussianRegression() {
        var rng = TestGaussian(state: 7)
        var g2: [Double] = [], trace: [Double] = [], window = NoiseScaleWindow()
        for _ in 0..<3000 {
            let batch = (0..<64).map { _ in problem.example(&rng) }
            let e = estimateBatch(batch, chunk: 8, population: nil)!
            g2.append(e.gradientSquared)
            trace.append(e.trace)
            window.add(e)
        }
        let (gm, gse) = meanAndError(g2), (tm, tse) = meanAndError(trace)
        print(String(format: "noise scale, Gaussian regression: |G|² %.4f ± %.4f (exact %.4f), tr(Σ) %.3f ± %.3f (exact %.3f)",
                     gm, gse, problem.gradientSquared, tm, tse, problem.trace))
        XCTAssertLessThan(gse, 0.05 * problem.gradientSquared)
        XCTAssertLessThan(tse, 0.05 * problem.trace)
        XCTAssertLessThan(abs(gm - problem.gradientSquared), 4 * gse)
        XCTAssertLessThan(abs(tm - problem.trace), 4 * tse)
        let b = window.epoch.bSimple, exact = problem.trace / problem.gradientSquared
        XCTAssertLessThan(abs(b - exact) / exact, 0.1, "B_simple \(b) vs exact \(exact)")
        XCTAssertEqual(window.epoch.batches, 3000)
    }

    /// A fixed training set of N = 48 drawn from without replacement (epochs of shuffled batches of
    /// 16, as SGD draws them): with `population: N` both estimates are unbiased for the set's own
    /// |G|² and tr(S) (S with N − 1); without it |G|² is low by tr(S)/N, here many standard errors.
    func testFinitePopulationCorrectionRemovesTheWithoutReplacementBias() {
        var rng = TestGaussian(state: 11)
        let n = 48
        let set = (0..<n).map { _ in problem.example(&rng) }
        let mean = (0..<problem.d).map { k in set.reduce(0) { $0 + $1[k] } / Double(n) }
        let exactG2 = mean.reduce(0) { $0 + $1 * $1 }
        let exactTrace = set.reduce(0) { acc, g in acc + zip(g, mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } } / Double(n - 1)
        var corrected: [Double] = [], plain: [Double] = [], trace: [Double] = []
        var order = Array(0..<n)
        for _ in 0..<4000 {
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.uniform() * Double(i + 1))) }
            for start in stride(from: 0, to: n, by: 16) {
                let batch = order[start..<(start + 16)].map { set[$0] }
                let c = estimateBatch(batch, chunk: 8, population: n)!, p = estimateBatch(batch, chunk: 8, population: nil)!
                corrected.append(c.gradientSquared)
                plain.append(p.gradientSquared)
                trace.append(c.trace)
                XCTAssertEqual(c.trace, p.trace)
            }
        }
        let (cm, cse) = meanAndError(corrected), (pm, _) = meanAndError(plain), (tm, tse) = meanAndError(trace)
        print(String(format: "noise scale, N = 48 without replacement: |G|² %.4f ± %.4f corrected, %.4f plain (exact %.4f); tr(S) %.3f ± %.3f (exact %.3f)",
                     cm, cse, pm, exactG2, tm, tse, exactTrace))
        XCTAssertLessThan(abs(cm - exactG2), 4 * cse)
        XCTAssertLessThan(abs(tm - exactTrace), 4 * tse)
        XCTAssertGreaterThan(abs(pm - exactG2), 8 * cse, "the correction should matter at N = 48")
        XCTAssertEqual(pm - cm, -tm / Double(n), accuracy: 1e-9)
    }

    func testOneChunkGivesNoEstimateAndAnEmptyWindowIsNaN() {
        var chunks = ChunkGradientNorms()
        chunks.add(sumSquaredNorm: 4, size: 8)
        XCTAssertNil(NoiseScaleEstimate(batchMeanSquaredNorm: 1, batchSize: 8, chunks: chunks, population: nil))
        var window = NoiseScaleWindow()
        window.add(nil)
        XCTAssertEqual(window.epoch.batches, 0)
        XCTAssertTrue(window.epoch.bSimple.isNaN)
        XCTAssertTrue(NoiseScaleEpoch(gradientSquared: -1, trace: 3, batches: 2).bSimple.isNaN, "|G|² ≤ 0 has no ratio")
    }
}

/// The gradient as it was computed before the noise scale existed: no chunk norms asked for.
final class PlainGradient: BatchGradient {
    let network: Network
    init(_ network: Network) { self.network = network }
    func gradientSum(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Float>,
                     into: UnsafeMutableBufferPointer<Float>, chunks: inout ChunkGradientNorms) -> BatchStats {
        network.gradient(parameters: parameters, images: images, labels: labels, gradient: into)
    }
}

final class NoiseScaleTrainingTests: XCTestCase {
    func trainer(plain: Bool, threads: Int) throws -> Trainer {
        let spec = ModelSpec(channels: 3, height: 16, width: 16, convWidths: [4, 8], denseWidths: [16])
        let model = try Model(spec)
        var rng = TestGaussian(state: 3)
        func data(_ n: Int) -> TrainingData {
            let images = (0..<(n * spec.inputSize)).map { _ in Float(rng.uniform()) }
            // Labels that follow the images (mean brightness of the first channel), so training makes progress.
            let labels = (0..<n).map { i in images[(i * spec.inputSize)..<(i * spec.inputSize + 256)].reduce(0, +) > 128 ? Float(1) : 0 }
            return TrainingData(images: images, labels: labels)
        }
        let config = TrainingConfig(batchSize: 36, learningRate: 0.1, initSeed: 1, shuffleSeed: 2, maxEpochs: 4, patience: 10,
                                    patienceUnit: .epochs)
        let train = data(100), validation = data(30)
        guard plain else { return Trainer(model: model, config: config, train: train, validation: validation, threads: threads) }
        let net = Network(model: model, maxBatch: Trainer.evaluationBatch(36), threads: threads)
        return Trainer(model: model, config: config, train: train, validation: validation, threads: threads,
                       gradient: PlainGradient(net), evaluation: net)
    }

    func run(_ t: Trainer) throws -> TrainingState {
        var state = t.initialState()
        try t.run(&state) { _ in }
        return state
    }

    /// Recording the noise scale leaves θ's trajectory bit for bit as without it, and the recorded
    /// values themselves are the same bits at 1 and 2 threads.
    func testRecordingTheNoiseScaleDoesNotChangeTheTrainingBits() throws {
        let recorded = try run(try trainer(plain: false, threads: 2))
        let plain = try run(try trainer(plain: true, threads: 2))
        XCTAssertEqual(recorded.theta.map(\.bitPattern), plain.theta.map(\.bitPattern), "θ_final")
        XCTAssertEqual(recorded.thetaMin.map(\.bitPattern), plain.thetaMin.map(\.bitPattern), "θ_min")
        XCTAssertEqual(recorded.epochs, plain.epochs)
        XCTAssertEqual(recorded.updateNorms, plain.updateNorms)
        XCTAssertEqual(recorded.noise.count, 4)
        // 100 images in batches of 36, 36, 28: 5, 5 and 4 chunks, all three give an estimate.
        XCTAssertTrue(recorded.noise.allSatisfy { $0.batches == 3 && $0.trace > 0 && $0.gradientSquared.isFinite })
        XCTAssertTrue(plain.noise.allSatisfy { $0.batches == 0 })
        let oneThread = try run(try trainer(plain: false, threads: 1))
        XCTAssertEqual(oneThread.noise.map(\.trace.bitPattern), recorded.noise.map(\.trace.bitPattern))
        XCTAssertEqual(oneThread.noise.map(\.gradientSquared.bitPattern), recorded.noise.map(\.gradientSquared.bitPattern))
    }
}
