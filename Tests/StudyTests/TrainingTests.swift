// The training loop and the train stage: early stopping, θ_min, checkpoint layout, bit-identical
// reruns, and a resumed run that equals an uninterrupted one.
import Foundation
import NN
import Pipeline
import Store
@testable import Study
@testable import Training
import XCTest

final class TrainingTests: XCTestCase {
    static let tiny: [String: ParamValue] = [
        "batch_size": .int(16), "lr": .double(0.05), "max_epochs": .int(4), "patience": .int(4),
        "conv_widths": .list([.int(4), .int(8)]), "dense_widths": .list([.int(16)]),
    ]

    /// A generated 16×16 set of 120 images and its split.
    func data(_ h: StageHarness) throws -> [String: URL] {
        let images = try h.run(GenerateStage.self, ["count": .int(120), "size": .int(16)]).output("images")
        return ["data": images, "split": try h.run(SplitStage.self, inputs: ["data": images]).output("split")]
    }

    func testCheckpointLayoutAndMetrics() throws {
        let h = try StageHarness()
        let context = try h.run(TrainStage.self, Self.tiny, inputs: try data(h))
        let file = try HDF5File.open(context.output("checkpoint").path)
        defer { try? file.close() }
        let model = try Model(ModelSpec(channels: 3, height: 16, width: 16, convWidths: [4, 8], denseWidths: [16]))
        for name in ["init", "min", "final"] {
            XCTAssertEqual(try file.info("/theta/\(name)").shape, [model.parameterCount])
        }
        XCTAssertEqual(try file.read("/theta/init", as: Float.self).values, model.initialParameters(seed: 1))
        XCTAssertEqual(try file.info("/layout/offset").shape, [model.layout.slices.count])
        XCTAssertEqual(try file.attribute("names", at: "/layout"),
                       .string(model.layout.slices.map(\.name).joined(separator: ",")))
        let epochs = Int(try file.info("/epochs/val_loss").shape[0])
        XCTAssertEqual(try file.attribute("epochs_run"), .int(Int64(epochs)))
        XCTAssertEqual(try file.info("/updates/norm").shape, [epochs * 6], "96 training images / 16 = 6 steps per epoch")
        let val = try file.read("/epochs/val_loss", as: Double.self).values
        let best = val.indices.min { val[$0] < val[$1] }! + 1
        XCTAssertEqual(try file.attribute("epoch_min"), .int(Int64(best)))
        XCTAssertEqual(context.metrics["min_val_loss"], val.min())
        XCTAssertEqual(context.metrics["epoch_min"], Double(best))
        XCTAssertNotNil(context.measurements["seconds_total"])
        for name in ["gradient_squared", "trace", "b_simple", "batches"] {
            XCTAssertEqual(try file.info("/noise/\(name)").shape, [epochs], "one noise-scale window per epoch")
        }
        XCTAssertEqual(try file.attribute("small_batch", at: "/noise"), .int(Int64(Network.chunkSize)))
        XCTAssertEqual(try file.attribute("population", at: "/noise"), .int(96))
        XCTAssertEqual(try file.read("/noise/batches", as: Int64.self).values, Array(repeating: 6, count: epochs),
                       "every batch of 16 has two chunks of 8")
        XCTAssertTrue(try file.read("/noise/trace", as: Double.self).values.allSatisfy { $0 > 0 })
        XCTAssertEqual(context.metrics["b_simple_at_min"].map { $0.isFinite }, true, "a finite B_simple at the minimum here")
        let norms = try file.read("/updates/norm", as: Double.self).values
        XCTAssertTrue(norms.allSatisfy { $0 > 0 && $0.isFinite }, "every update moves the weights")
        if best == epochs {
            XCTAssertEqual(try file.read("/theta/min", as: Float.self).values, try file.read("/theta/final", as: Float.self).values)
        }
    }

    func testRerunIsBitIdenticalAndThreadsDoNotMatter() throws {
        let h = try StageHarness()
        let inputs = try data(h)
        let a = try h.run(TrainStage.self, Self.tiny, inputs: inputs, threads: 1).output("checkpoint")
        let b = try h.run(TrainStage.self, Self.tiny, inputs: inputs, threads: 2).output("checkpoint")
        XCTAssertEqual(try Data(contentsOf: a), try Data(contentsOf: b))
    }

    /// The resume file is written after the first epoch, then every `resumeInterval` seconds, always
    /// before a requested stop, and not after the last epoch (its state goes into the object).
    func testTheResumeFileIsSavedFirstThenByIntervalAndAlwaysBeforeAStop() {
        let t0 = Date(timeIntervalSinceReferenceDate: 1000), interval = TrainStage.resumeInterval
        XCTAssertTrue(TrainStage.resumeSaveIsDue(lastSave: nil, now: t0, stopped: false, stopping: false))
        XCTAssertFalse(TrainStage.resumeSaveIsDue(lastSave: t0, now: t0 + interval / 2, stopped: false, stopping: false))
        XCTAssertTrue(TrainStage.resumeSaveIsDue(lastSave: t0, now: t0 + interval / 2, stopped: false, stopping: true))
        XCTAssertTrue(TrainStage.resumeSaveIsDue(lastSave: t0, now: t0 + interval, stopped: false, stopping: false))
        XCTAssertFalse(TrainStage.resumeSaveIsDue(lastSave: t0, now: t0 + 2 * interval, stopped: true, stopping: false))
        XCTAssertFalse(TrainStage.resumeSaveIsDue(lastSave: nil, now: t0, stopped: true, stopping: false))
        XCTAssertTrue(TrainStage.resumeSaveIsDue(lastSave: t0, now: t0, stopped: true, stopping: true))
    }

    func testResumedTrainingEqualsAnUninterruptedRun() throws {
        let h = try StageHarness()
        let inputs = try data(h)
        let whole = try h.run(TrainStage.self, Self.tiny, inputs: inputs).output("checkpoint")

        // Interrupt after epoch 2 by saving the state a killed run would have left, then resume.
        var params = Self.tiny
        params["max_epochs"] = .int(2)
        let context = try h.run(TrainStage.self, params, inputs: inputs)
        let p = try context.parameters(TrainStage.Parameters.self)
        let config = p.trainingConfig
        let (model, train, validation) = try TrainStage.loadData(context, p)
        let trainer = Trainer(model: model, config: config, train: train, validation: validation, threads: 1)
        var state = trainer.initialState()
        trainer.runEpoch(&state)
        trainer.runEpoch(&state)
        var full = config
        full.maxEpochs = 4
        let fingerprint = "\(TrainStage.kind) v\(TrainStage.codeVersion) \(full.resumeDescription) \(model.spec) train \(train.count) val \(validation.count)"
        let resume = h.root.appendingPathComponent("resume")
        try ResumeCheckpoint.save(state, epochSeconds: [1, 1], fingerprint: fingerprint, in: resume)
        let resumed = try h.run(TrainStage.self, Self.tiny, inputs: inputs, resume: resume)
        XCTAssertEqual(resumed.measurements["resumed_after_epoch"], 2)
        XCTAssertEqual(try Data(contentsOf: resumed.output("checkpoint")), try Data(contentsOf: whole))
        XCTAssertFalse(FileManager.default.fileExists(atPath: resume.path), "the resume folder is removed when done")
    }

    func testPatienceInEpochsAndIterations() throws {
        let h = try StageHarness()
        let context = try h.run(TrainStage.self, Self.tiny.merging(["max_epochs": .int(1)]) { $1 }, inputs: try data(h))
        let p = try context.parameters(TrainStage.Parameters.self)
        let (model, train, validation) = try TrainStage.loadData(context, p)
        var config = p.trainingConfig
        config.maxEpochs = 100
        config.patience = 3
        var state = TrainingState(theta: [], thetaInit: [], thetaMin: [])
        let epoch = EpochSummary(trainLoss: 1, validationLoss: 1, validationAccuracy: 0.5, distance: 0)
        state.epochs = Array(repeating: epoch, count: 5)
        state.bestEpoch = 3
        XCTAssertNil(Trainer(model: model, config: config, train: train, validation: validation, threads: 1).stopReason(state))
        state.bestEpoch = 2
        XCTAssertEqual(Trainer(model: model, config: config, train: train, validation: validation, threads: 1)
            .stopReason(state), .patience)
        config.patienceUnit = .iterations
        config.patience = 13  // 6 steps per epoch: 2 epochs without improvement = 12 iterations < 13
        state.bestEpoch = 3
        XCTAssertNil(Trainer(model: model, config: config, train: train, validation: validation, threads: 1).stopReason(state))
        config.patience = 12
        XCTAssertEqual(Trainer(model: model, config: config, train: train, validation: validation, threads: 1)
            .stopReason(state), .patience)
        config.patience = 100
        config.maxEpochs = 5
        XCTAssertEqual(Trainer(model: model, config: config, train: train, validation: validation, threads: 1)
            .stopReason(state), .maxEpochs)
    }

    func testBadPatienceUnitIsATypedError() throws {
        let h = try StageHarness()
        XCTAssertThrowsError(try h.run(TrainStage.self, Self.tiny.merging(["patience_unit": .string("weeks")]) { $1 },
                                       inputs: try data(h))) {
            XCTAssertTrue("\($0)".contains("patience_unit = weeks") && "\($0)".contains("one of: epochs, iterations"), "\($0)")
        }
    }
}
