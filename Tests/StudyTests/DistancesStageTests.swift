// The distances stage on checkpoints with known weights and series: totals, per layer, quartiles,
// log-binned histograms, the epoch-distance ratio; and its statistics helpers.
import Foundation
import NN
import Pipeline
import Store
@testable import Study
@testable import StudyReport
import XCTest

final class DistancesStageTests: XCTestCase {
    func testDistancesOfKnownCheckpoints() throws {
        let h = try StageHarness()
        let small = try ReportFixtures.checkpoint(in: h.root, batchSize: 32, lr: 0.01, valLoss: [0.6, 0.5, 0.55],
                                                  epochDistance: [0.4, 0.3, 0.2], norms: [4e-3, 2e-3, 1e-3, 3e-3], step: 0.1)
        let large = try ReportFixtures.checkpoint(in: h.root, batchSize: 256, lr: 0.01, valLoss: [0.7, 0.65, 0.62, 0.61],
                                                  epochDistance: [0.1, 0.1, 0.05, 0.05], norms: [1e-4, 1e-4, 3e-4], step: 0.01)
        // Input order must not matter: the object sorts runs by (lr, batch size).
        let context = try h.run(DistancesStage.self, manyInputs: ["runs": [large, small]])
        let table = try DistanceTable.read(context.output("distances"), stage: "test")
        XCTAssertEqual(table.runs.map(\.batchSize), [32, 256])
        XCTAssertEqual(table.layerNames, ["conv1", "dense1", "out"])
        let conv1 = 2.0 * 3 * 3 * 3  // conv1.weight elements moved by `step`
        let s = table.runs[0], l = table.runs[1]
        XCTAssertEqual(s.distanceMin, 0.1 * conv1.squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(s.distanceFinal, 0.2 * conv1.squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(l.distanceMin, 0.01 * conv1.squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(s.layerDistanceMin[0], s.distanceMin, accuracy: 1e-12, "only conv1 moved")
        XCTAssertEqual(Array(s.layerDistanceMin[1...]), [0, 0])
        XCTAssertEqual(s.updateMedian, 2.5e-3, accuracy: 1e-15)
        XCTAssertEqual(s.updateQ1, 1.75e-3, accuracy: 1e-15)
        XCTAssertEqual(s.updateQ3, 3.25e-3, accuracy: 1e-15)
        XCTAssertEqual(l.updateMedian, 1e-4)
        XCTAssertEqual([s.updateMin, s.updateMax, Double(s.updateCount)], [1e-3, 4e-3, 4])
        XCTAssertEqual([s.epochMin, s.epochsRun, l.epochMin, l.epochsRun], [2, 3, 4, 4])
        XCTAssertEqual(s.minValidationLoss, 0.5)
        XCTAssertEqual(s.epochDistance, [0.4, 0.3, 0.2])
        XCTAssertEqual(l.epochDistance, [0.1, 0.1, 0.05, 0.05], "the padding NaNs are cut at epochs_run")
        // Ratio over the shorter run: 0.4/0.1, 0.3/0.1, 0.2/0.05.
        XCTAssertEqual(table.ratio.count, 3)
        for (got, want) in zip(table.ratio, [4.0, 3.0, 4.0]) { XCTAssertEqual(got, want, accuracy: 1e-12) }
        // One set of log-spaced edges from the smallest to the largest norm of all runs.
        XCTAssertEqual(table.binEdges.count, 41)
        XCTAssertEqual(table.binEdges.first!, 1e-4, accuracy: 1e-15)
        XCTAssertEqual(table.binEdges.last!, 4e-3, accuracy: 1e-15)
        let steps = zip(table.binEdges, table.binEdges.dropFirst()).map { $1 / $0 }
        XCTAssertEqual(steps.max()! - steps.min()!, 0, accuracy: 1e-9, "log-spaced: constant ratio")
        for run in table.runs { XCTAssertEqual(run.updateHistogram.reduce(0, +), 1, accuracy: 1e-12) }
        XCTAssertEqual(context.metrics["median_update_norm[bs=32,lr=0.01]"], s.updateMedian)
        XCTAssertEqual(context.metrics["epoch_distance_ratio_first"], 4)
    }

    func testTheRatioIsEmptyWhenTheLargeBatchIsMissingAndTheObjectIsDeterministic() throws {
        let h = try StageHarness()
        let small = try ReportFixtures.checkpoint(in: h.root, batchSize: 32, lr: 0.01, valLoss: [0.6, 0.5], norms: [1e-3, 2e-3], step: 0.1)
        let a = try h.run(DistancesStage.self, manyInputs: ["runs": [small]])
        let b = try h.run(DistancesStage.self, manyInputs: ["runs": [small]])
        XCTAssertEqual(try DistanceTable.read(a.output("distances"), stage: "test").ratio, [])
        XCTAssertEqual(try Data(contentsOf: a.output("distances")), try Data(contentsOf: b.output("distances")))
    }

    func testRunsOfDifferentModelsAreRejected() throws {
        let h = try StageHarness()
        let a = try ReportFixtures.checkpoint(in: h.root, batchSize: 32, lr: 0.01, valLoss: [0.6], norms: [1e-3], step: 0.1)
        let other = try ReportFixtures.checkpoint(in: h.root.appendingPathComponent("x"), batchSize: 64, lr: 0.01, valLoss: [0.6],
                                                  norms: [1e-3], step: 0.1,
                                                  spec: ModelSpec(channels: 3, height: 8, width: 8, convWidths: [4], denseWidths: [4]))
        XCTAssertThrowsError(try h.run(DistancesStage.self, manyInputs: ["runs": [a, other]])) { error in
            XCTAssertTrue("\(error)".contains("different models"), "\(error)")
        }
    }

    func testQuantilesAndLogHistogram() {
        XCTAssertEqual(RunStatistics.quantile([5, 1, 3], 0.5), 3)
        XCTAssertEqual(RunStatistics.quantile([1, 2, 3, 4], 0.25), 1.75)
        XCTAssertTrue(RunStatistics.quantile([], 0.5).isNaN)
        let edges = RunStatistics.logEdges(low: 1e-3, high: 1e-1, bins: 2)
        XCTAssertEqual(edges[1], 1e-2, accuracy: 1e-15)
        XCTAssertEqual(RunStatistics.histogram([1e-3, 5e-3, 2e-2, 1e-1, 1], edges: edges), [0.4, 0.4],
                       "the top edge belongs to the last bin; values outside are not counted")
    }
}
