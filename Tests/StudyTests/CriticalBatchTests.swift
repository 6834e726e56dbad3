// Steps to a target loss, the best learning rate per batch size, McCandlish's S = S_min(1 + B_noise/B)
// fit and B_simple at the target (the critical_batch stage's pure part), and the PCA of a trajectory.
import Foundation
import Statistics
@testable import Study
import StudyReport
import Training
import XCTest

final class CriticalBatchTests: XCTestCase {
    func testTheStepsModelRecoversAKnownCriticalBatchSize() throws {
        let b: [Double] = [32, 64, 128, 256]
        let model = try ScalingFit.fit(batchSizes: b, steps: b.map { 1000 * (1 + 64 / $0) })
        XCTAssertEqual(model.minimumSteps, 1000, accuracy: 1e-3)
        XCTAssertEqual(model.criticalBatch, 64, accuracy: 1e-4)
        XCTAssertLessThan(model.logResidual, 1e-8)
        XCTAssertFalse(model.atBoundary)
        XCTAssertEqual(model.steps(at: 64), 2000, accuracy: 1e-2, "twice S_min at the knee")
        // Perfect scaling (S ∝ 1/B) puts the knee beyond any batch size measured: the fit says so.
        XCTAssertTrue(try ScalingFit.fit(batchSizes: b, steps: b.map { 25_600 / $0 }).atBoundary)
        XCTAssertThrowsError(try ScalingFit.fit(batchSizes: [32, 32], steps: [10, 12]))
    }

    /// A run whose validation loss falls linearly by `rate` per epoch from 0.7, with a constant
    /// noise-scale window of B_simple = `bSimple`.
    func history(bs: Int, lr: Double, rate: Double, bSimple: Double = 50, replicate: Int = 1) -> TrainingHistory {
        let epochs = 60
        let val = (1...epochs).map { 0.7 - rate * Double($0) }
        let noise = (0..<epochs).map { _ in NoiseScaleEpoch(gradientSquared: 0.01, trace: 0.01 * bSimple, batches: 3) }
        return TrainingHistory(batchSize: bs, learningRate: lr, replicate: replicate, stepsPerEpoch: 800 / bs,
                               trainLoss: val, validationLoss: val, noise: noise)
    }

    func testBestLearningRateStepsFitAndPrediction() throws {
        // Target 0.4 is 0.3 below the start: epochs = ceil(0.3 / rate).
        let runs = [
            history(bs: 32, lr: 0.01, rate: 0.01), history(bs: 32, lr: 0.02, rate: 0.03),   // 30 vs 10 epochs × 25
            history(bs: 64, lr: 0.02, rate: 0.025), history(bs: 64, lr: 0.04, rate: 0.001), // 12 epochs × 12; never
            history(bs: 128, lr: 0.04, rate: 0.02, bSimple: 70),                              // 15 × 6
        ]
        let table = try CriticalBatchAnalysis.analyse(runs, target: 0.4 + 1e-9, window: 5, stage: "critical_batch")
        XCTAssertEqual(table.best.map(\.batchSize), [32, 64, 128])
        XCTAssertEqual(table.best.map(\.learningRate), [0.02, 0.02, 0.04])
        XCTAssertEqual(table.best.map(\.steps), [250, 144, 90])
        XCTAssertNil(table.runs.first { $0.batchSize == 64 && $0.learningRate == 0.04 }!.epochToTarget)
        let fit = try XCTUnwrap(table.fits.first)
        let expected = try ScalingFit.fit(batchSizes: [32, 64, 128], steps: [250, 144, 90])
        XCTAssertEqual(fit.criticalBatch, expected.criticalBatch)
        // Pooled over the three best runs' windows (equal weights): (50 + 50 + 70)/3.
        XCTAssertEqual(fit.predicted, 170.0 / 3, accuracy: 1e-9)
        XCTAssertThrowsError(try CriticalBatchAnalysis.analyse(runs, target: -2, window: 5, stage: "critical_batch")) { error in
            XCTAssertTrue("\(error)".contains("target_val_loss"), "\(error)")
        }
    }

    func testTheTableRoundTripsThroughItsObject() throws {
        let runs = [history(bs: 32, lr: 0.02, rate: 0.03), history(bs: 256, lr: 0.08, rate: 0.01, replicate: 2),
                    history(bs: 32, lr: 0.02, rate: 0.02, replicate: 2), history(bs: 256, lr: 0.08, rate: 0.012)]
        let table = try CriticalBatchAnalysis.analyse(runs, target: 0.45, window: 3, stage: "critical_batch")
        XCTAssertEqual(table.fits.map(\.replicate), [1, 2])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("critical-\(UUID()).h5")
        defer { try? FileManager.default.removeItem(at: url) }
        try table.write(to: url.path)
        XCTAssertEqual(try CriticalBatchTable.read(url, stage: "report"), table)
    }
}

final class TrajectoryPCATests: XCTestCase {
    /// Points θ_final + a·u + b·v with centred, uncorrelated (a, b): the PCA finds u and v, explains
    /// var(a)/(var(a)+var(b)) and var(b)/…, and projects the path back onto (a, b); θ_final itself
    /// (a last snapshot at the final epoch) is drawn at (0, 0) and fitted with nothing.
    func testPCAOfAPlanarTrajectory() throws {
        let p = 50
        var u = [Double](repeating: 0, count: p), v = u
        u[3] = 0.6; u[17] = 0.8
        v[5] = 1
        let final = (0..<p).map { Float(0.1 * Double($0 % 7) - 0.3) }
        let a = [3.0, 1, -1, -3], b = [1.0, -1, -1, 1]
        let points = zip(a, b).map { ab in (0..<p).map { final[$0] + Float(ab.0 * u[$0] + ab.1 * v[$0]) } } + [final]
        let pca = try TrajectoryPCA(points: points, final: final)
        XCTAssertEqual(pca.explained[0], 20.0 / 24, accuracy: 1e-6)
        XCTAssertEqual(pca.explained[1], 4.0 / 24, accuracy: 1e-6)
        for k in 0..<4 {
            XCTAssertEqual(pca.x[k], a[k], accuracy: 1e-5)
            XCTAssertEqual(pca.y[k], b[k], accuracy: 1e-5)
        }
        XCTAssertEqual(pca.x[4], 0)
        XCTAssertEqual(Double(pca.directions[0][17]), 0.8, accuracy: 1e-6)
        XCTAssertThrowsError(try TrajectoryPCA(points: [points[0], final], final: final))
    }
}
