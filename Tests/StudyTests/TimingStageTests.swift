// The `timing` stage: its object's layout (every batch size, every round, machine and engine), the
// declarations the executor and `verify` act on (exclusive, measures time), and from the CLI: timing
// with 1 and 2 MPI ranks, and `verify --rerun` calling a rerun's other seconds a measurement, not a failure.
import Foundation
import Pipeline
import Store
@testable import Study
@testable import StudyReport
import TestSupport
import XCTest

final class TimingStageTests: XCTestCase {
    func testTheObjectHoldsEveryRoundOfEveryBatchSizeWithMachineAndEngine() throws {
        let h = try StageHarness()
        let images = try h.run(GenerateStage.self, ["count": .int(120), "size": .int(16)]).output("images")
        let split = try h.run(SplitStage.self, inputs: ["data": images]).output("split")
        let context = try h.run(TimingStage.self, ["batch_sizes": .list([.int(8), .int(32)]), "repeats": .int(3), "warmup": .int(1),
                                                   "conv_widths": .list([.int(4), .int(8)]), "dense_widths": .list([.int(16)])],
                                inputs: ["data": images, "split": split])
        let table = try TimingTable.read(context.output("timing"), stage: "timing")
        XCTAssertEqual(table.batchSizes, [8, 32])
        XCTAssertEqual(table.seconds.map(\.count), [3, 3], "3 timed rounds per batch size (the warm-up is not kept)")
        XCTAssertTrue(table.seconds.joined().allSatisfy { $0 > 0 && $0 < 60 }, "\(table.seconds)")
        XCTAssertEqual(table.workers, 1)
        XCTAssertEqual(table.threads, 1)
        XCTAssertEqual(table.trainCount, 96, "the split's training images")
        XCTAssertFalse(table.machine.isEmpty)
        XCTAssertTrue(table.engine.contains(" conv"), table.engine)
        XCTAssertNotNil(context.measurements["median_seconds_per_epoch[bs=8]"])
        XCTAssertTrue(context.metrics.isEmpty, "times are measurements, never metrics (results)")
        XCTAssertTrue(TimingStage.exclusive && TimingStage.measuresTime)
        XCTAssertFalse(TrainStage.exclusive || TrainStage.measuresTime)
    }

    func testTheRepeatedBatchSizeIsRejected() throws {
        let h = try StageHarness()
        let images = try h.run(GenerateStage.self, ["count": .int(60), "size": .int(8)]).output("images")
        let split = try h.run(SplitStage.self, inputs: ["data": images]).output("split")
        XCTAssertThrowsError(try h.run(TimingStage.self, ["batch_sizes": .list([.int(8), .int(8)])], inputs: ["data": images, "split": split])) {
            XCTAssertTrue("\($0)".contains("batch_sizes"), "\($0)")
        }
    }

    func testOneAndTwoRanksFromTheCLIAndVerifyRerunSaysItMeasuresTime() throws {
        let project = try CLIProject(pipelines: true)
        try project.write("timing.yaml", """
            stages:
              data:
                kind: generate
                params: {count: 120, size: 16}
              split:
                kind: split
                inputs: {data: data.images}
              train:
                kind: train
                params: {lr: 0.05, max_epochs: 2, conv_widths: [4, 8], dense_widths: [16]}
                foreach: [{batch_size: 8}, {batch_size: 32}]
                inputs: {data: data.images, split: split.split}
              timing:
                kind: timing
                params: {batch_sizes: [8, 32], repeats: 2, conv_widths: [4, 8], dense_widths: [16]}
                foreach: [{workers: 1}, {workers: 2}]
                inputs: {data: data.images, split: split.split}
            """)
        let run = try project.run("reproduce", "timing.yaml", "--jobs", "2")
        XCTAssertEqual(run.code, 0, summary(run))
        for workers in [1, 2] {
            let table = try TimingTable.read(try project.object(stage: "timing@workers=\(workers)", output: "timing"), stage: "t")
            XCTAssertEqual(table.workers, workers)
            XCTAssertEqual(table.seconds.map(\.count), [2, 2])
        }
        let verify = try project.run("verify", "--rerun", "timing@workers=1", "timing.yaml")
        XCTAssertEqual(verify.code, 0, summary(verify))
        XCTAssertTrue(verify.stdout.contains("a measurement of time, the declared exception"), verify.stdout)
        let train = try project.run("verify", "--rerun", "train@batch_size=8", "timing.yaml")
        XCTAssertEqual(train.code, 0, summary(train))
        XCTAssertTrue(train.stdout.contains("outputs bit-identical"), train.stdout)
    }
}
