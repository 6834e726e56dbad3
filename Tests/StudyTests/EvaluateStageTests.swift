// The held-out test set and the `evaluate` stage: generate's `test` output is a fresh draw (no image of
// the data set, balanced, its own seed, the data object's bytes unchanged by it), and evaluate scores
// every run's θ_min on it, deterministically, with the run's coordinates.
import Foundation
import NN
import Pipeline
import Store
@testable import Study
@testable import StudyReport
@testable import Training
import XCTest

final class EvaluateStageTests: XCTestCase {
    func testTheTestSetIsAFreshBalancedDrawAndLeavesTheDataAlone() throws {
        let h = try StageHarness()
        let a = try h.run(GenerateStage.self, ["count": .int(60), "size": .int(16), "test_count": .int(40)])
        let b = try h.run(GenerateStage.self, ["count": .int(60), "size": .int(16), "test_count": .int(80)])
        XCTAssertEqual(try Data(contentsOf: a.output("images")), try Data(contentsOf: b.output("images")),
                       "the data object does not depend on the test set's size")
        let data = try HDF5File.open(a.output("images").path), test = try HDF5File.open(a.output("test").path)
        defer { try? data.close(); try? test.close() }
        XCTAssertEqual(try test.info("/images").shape, [40, 3, 16, 16])
        XCTAssertEqual(try test.attribute("count_per_class"), .ints([20, 20]))
        XCTAssertEqual(try test.attribute("role"), .string("held-out test set"))
        XCTAssertFalse(try data.attributeNames().contains("role"), "the data object keeps its earlier bytes")
        let plane = 3 * 16 * 16
        let dataImages = try data.read("/images", as: UInt8.self).values, testImages = try test.read("/images", as: UInt8.self).values
        let seen = Set((0..<60).map { Array(dataImages[($0 * plane)..<(($0 + 1) * plane)]) })
        XCTAssertTrue((0..<40).allSatisfy { !seen.contains(Array(testImages[($0 * plane)..<(($0 + 1) * plane)])) },
                      "no test image is a data image")
        XCTAssertNotEqual(GenerateStage.testSeed(1), 1)
        XCTAssertNotEqual(GenerateStage.testSeed(1), GenerateStage.testSeed(2), "a new data seed draws a new test set")
    }

    func testEvaluateScoresEveryMinimizerOnTheTestSet() throws {
        let h = try StageHarness()
        let generated = try h.run(GenerateStage.self, ["count": .int(120), "size": .int(16), "test_count": .int(64)])
        let data = ["data": generated.output("images"),
                    "split": try h.run(SplitStage.self, inputs: ["data": generated.output("images")]).output("split")]
        var checkpoints: [URL] = []
        for (bs, replicate) in [(8, 1), (32, 1), (8, 2)] {
            var p = AnalysisStageTests.tiny
            p["batch_size"] = .int(bs)
            p["replicate"] = .int(replicate)
            checkpoints.append(try h.run(TrainStage.self, p, inputs: data).output("checkpoint"))
        }
        let inputs: [String: [URL]] = ["runs": checkpoints, "test": [generated.output("test")]]
        let a = try h.run(EvaluateStage.self, manyInputs: inputs, tag: "a"), b = try h.run(EvaluateStage.self, manyInputs: inputs, tag: "b")
        XCTAssertEqual(try Data(contentsOf: a.output("evaluation")), try Data(contentsOf: b.output("evaluation")), "deterministic")
        let table = try TestEvaluation.read(a.output("evaluation"), stage: "t")
        XCTAssertEqual(table.testCount, 64)
        XCTAssertEqual(table.runs.map(\.batchSize), [8, 32, 8])
        XCTAssertEqual(table.runs.map(\.replicate), [1, 1, 2])
        XCTAssertEqual(table.runs.map(\.workers), [1, 1, 1])
        // The loss is θ_min's on the test images: recompute one with a network of our own.
        let run = try TrainedRun.load(checkpoints[1], stage: "t")
        let file = try HDF5File.open(generated.output("test").path)
        defer { try? file.close() }
        let labels = try file.read("/labels", as: UInt8.self).values
        let test = TrainingData(pixels: try file.read("/images", as: UInt8.self).values, labels: labels, imageSize: 3 * 16 * 16,
                                indices: Array(labels.indices))
        let trainer = Trainer(model: run.model, config: TrainingConfig(batchSize: 64, learningRate: 0.1, initSeed: 1, shuffleSeed: 1,
                                                                       maxEpochs: 1, patience: 1, patienceUnit: .epochs),
                              train: test, validation: test, threads: 1)
        let expected = trainer.evaluate(run.thetaMin, on: test)
        XCTAssertEqual(table.runs[1].testLoss, expected.meanLoss, accuracy: 1e-6 * max(1, expected.meanLoss))
        XCTAssertEqual(table.runs[1].testAccuracy, expected.accuracy, accuracy: 1e-9)
        XCTAssertNotEqual(table.runs[0].testLoss, table.runs[2].testLoss, "replicates are other minimizers")
    }
}
