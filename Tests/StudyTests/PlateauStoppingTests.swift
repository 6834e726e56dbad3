// Early stopping armed by `plateau_loss`: patience does not count on the initial plateau, it counts from
// the best epoch once a validation loss below the plateau loss has been seen; absent, the rule is the old
// one; a resumed run decides as an uninterrupted one; the checkpoint and the index record the plateau.
import Foundation
import NN
import Pipeline
import Store
@testable import Study
@testable import Training
import XCTest

final class PlateauStoppingTests: XCTestCase {
    /// A trainer over the tiny generated set (stopReason reads only the config and steps per epoch).
    private func trainer(_ h: StageHarness, _ configure: (inout TrainingConfig) -> Void) throws -> Trainer {
        let context = try h.run(TrainStage.self, TrainingTests.tiny.merging(["max_epochs": .int(1)]) { $1 },
                                inputs: try data(h))
        let p = try context.parameters(TrainStage.Parameters.self)
        let (model, train, validation) = try TrainStage.loadData(context, p)
        var config = p.trainingConfig
        configure(&config)
        return Trainer(model: model, config: config, train: train, validation: validation, threads: 1)
    }

    /// A generated 16×16 set of 120 images and its split (as TrainingTests').
    private func data(_ h: StageHarness) throws -> [String: URL] {
        let images = try h.run(GenerateStage.self, ["count": .int(120), "size": .int(16)]).output("images")
        return ["data": images, "split": try h.run(SplitStage.self, inputs: ["data": images]).output("split")]
    }

    private func epoch(_ val: Double) -> EpochSummary {
        EpochSummary(trainLoss: val, validationLoss: val, validationAccuracy: 0.5, distance: 0)
    }

    /// Appends `losses` one epoch at a time with runEpoch's best-epoch rule (strictly lower) and asks for a
    /// stop decision after each, as `Trainer.run` does: the epoch it stopped after and why (nil: never).
    private func replay(_ trainer: Trainer, _ losses: [Double], from start: TrainingState? = nil) -> (TrainingState, StopReason?) {
        var state = start ?? TrainingState(theta: [], thetaInit: [], thetaMin: [])
        for val in losses.dropFirst(state.completedEpochs) {
            state.epochs.append(epoch(val))
            if state.minimumValidationLoss.map({ val < $0 }) ?? true { state.bestEpoch = state.completedEpochs }
            state.stopped = trainer.stopReason(state)
            if state.stopped != nil { break }
        }
        return (state, state.stopped)
    }

    /// 40 epochs on the plateau (ln 2 and a hair around it; the best epoch is 2), then the loss falls to its
    /// minimum at epoch 43 and rises again.
    private let plateauThenFall: [Double] = [0.6935, 0.6931] + Array(repeating: 0.6934, count: 38)
        + [0.60, 0.55, 0.50] + (1...20).map { 0.50 + 0.01 * Double($0) }

    func testPatienceWaitsForTheLossToLeaveThePlateauThenCountsFromTheBest() throws {
        let h = try StageHarness()
        let armed = try trainer(h) { $0.maxEpochs = 100; $0.patience = 3; $0.plateauLoss = 0.68 }
        let (state, reason) = replay(armed, plateauThenFall)
        XCTAssertEqual(reason, .patience)
        XCTAssertEqual(state.completedEpochs, 46, "best epoch 43 + patience 3, not 2 + 3 on the plateau")
        XCTAssertEqual(state.bestEpoch, 43)
        XCTAssertEqual(state.plateauLeftEpoch(0.68), 41)

        // Not set: the old rule stops on the plateau, patience after its best epoch (2).
        let old = try trainer(h) { $0.maxEpochs = 100; $0.patience = 3 }
        XCTAssertNil(old.config.plateauLoss)
        let (early, earlyReason) = replay(old, plateauThenFall)
        XCTAssertEqual(earlyReason, .patience)
        XCTAssertEqual(early.completedEpochs, 5)

        // Iterations: 6 steps per epoch, patience 13 iterations = 3 epochs without improvement, from epoch 43.
        let iterations = try trainer(h) { $0.maxEpochs = 100; $0.patience = 13; $0.patienceUnit = .iterations; $0.plateauLoss = 0.68 }
        XCTAssertEqual(replay(iterations, plateauThenFall).0.completedEpochs, 46)
    }

    func testARunThatNeverLeavesThePlateauTrainsToTheCap() throws {
        let h = try StageHarness()
        let armed = try trainer(h) { $0.maxEpochs = 60; $0.patience = 3; $0.plateauLoss = 0.68 }
        let (state, reason) = replay(armed, Array(repeating: 0.6934, count: 80))
        XCTAssertEqual(reason, .maxEpochs)
        XCTAssertEqual(state.completedEpochs, 60)
        XCTAssertNil(state.plateauLeftEpoch(0.68))
        // Equal to the plateau loss is not below it.
        XCTAssertEqual(replay(armed, Array(repeating: 0.68, count: 80)).1, .maxEpochs)
    }

    /// A run interrupted on the plateau (epoch 20) and resumed from its resume file decides exactly as one
    /// that never stopped: the arming is read off the epoch history, not kept in a flag.
    func testResumingOnThePlateauDecidesTheSame() throws {
        let h = try StageHarness()
        let armed = try trainer(h) { $0.maxEpochs = 100; $0.patience = 3; $0.plateauLoss = 0.68 }
        let (whole, wholeReason) = replay(armed, plateauThenFall)
        let (first, firstReason) = replay(armed, Array(plateauThenFall.prefix(20)))
        XCTAssertNil(firstReason, "epoch 20 is on the plateau: no stop yet (the old rule would have stopped at 5)")
        let dir = h.root.appendingPathComponent("resume")
        try ResumeCheckpoint.save(first, epochSeconds: Array(repeating: 1, count: 20), fingerprint: "plateau", in: dir)
        let (loaded, _) = try XCTUnwrap(try ResumeCheckpoint.load(in: dir, fingerprint: "plateau"))
        XCTAssertEqual(loaded.completedEpochs, 20)
        let (resumed, resumedReason) = replay(armed, plateauThenFall, from: loaded)
        XCTAssertEqual(resumedReason, wholeReason)
        XCTAssertEqual(resumed.completedEpochs, whole.completedEpochs)
        XCTAssertEqual(resumed.bestEpoch, whole.bestEpoch)
    }

    /// The real loop: plateau_loss below any loss the tiny run reaches keeps it training to max_epochs even
    /// with patience 1; the checkpoint and the index say it never left (0). A resume after epoch 2 gives the
    /// same bytes. A plateau loss above every loss leaves θ's bits as without one (armed at epoch 1).
    func testCheckpointAndIndexRecordThePlateau() throws {
        let h = try StageHarness()
        let inputs = try data(h)
        let never = TrainingTests.tiny.merging(["patience": .int(1), "plateau_loss": .double(1e-6)]) { $1 }
        let context = try h.run(TrainStage.self, never, inputs: inputs)
        let file = try HDF5File.open(context.output("checkpoint").path)
        XCTAssertEqual(try file.attribute("plateau_loss"), .double(1e-6))
        XCTAssertEqual(try file.attribute("plateau_left_epoch"), .int(0))
        XCTAssertEqual(try file.attribute("epochs_run"), .int(4))
        XCTAssertEqual(try file.attribute("stopped"), .string("max_epochs"))
        try file.close()
        XCTAssertEqual(context.metrics["plateau_left_epoch"], 0)

        let plain = try h.run(TrainStage.self, TrainingTests.tiny, inputs: inputs)
        let left = try h.run(TrainStage.self, TrainingTests.tiny.merging(["plateau_loss": .double(100)]) { $1 }, inputs: inputs)
        XCTAssertNil(plain.metrics["plateau_left_epoch"], "no plateau_loss: no metric")
        XCTAssertEqual(left.metrics["plateau_left_epoch"], 1)
        let a = try HDF5File.open(plain.output("checkpoint").path), b = try HDF5File.open(left.output("checkpoint").path)
        defer { try? a.close(); try? b.close() }
        XCTAssertFalse(try a.attributeNames().contains("plateau_loss"), "runs without it keep their attributes")
        XCTAssertFalse(try a.attributeNames().contains("plateau_left_epoch"))
        XCTAssertEqual(try b.attribute("plateau_left_epoch"), .int(1))
        for name in ["/theta/final", "/theta/min"] {
            XCTAssertEqual(try a.read(name, as: Float.self).values, try b.read(name, as: Float.self).values, name)
        }
        XCTAssertEqual(try a.read("/epochs/val_loss", as: Double.self).values, try b.read("/epochs/val_loss", as: Double.self).values)

        // Resume after epoch 2 of the never-left run (a killed run's resume file): the same checkpoint bytes.
        let p = try context.parameters(TrainStage.Parameters.self)
        XCTAssertEqual(p.plateauLoss, 1e-6)
        let (model, train, validation) = try TrainStage.loadData(context, p)
        let trainer = Trainer(model: model, config: p.trainingConfig, train: train, validation: validation, threads: 1)
        var state = trainer.initialState()
        trainer.runEpoch(&state)
        trainer.runEpoch(&state)
        XCTAssertNil(trainer.stopReason(state), "not armed (no loss below 1e-6): only the cap of 4 epochs stops it")
        let fingerprint = "\(TrainStage.kind) v\(TrainStage.codeVersion) \(p.trainingConfig.resumeDescription) \(model.spec) train \(train.count) val \(validation.count)"
        let resume = h.root.appendingPathComponent("resume")
        try ResumeCheckpoint.save(state, epochSeconds: [1, 1], fingerprint: fingerprint, in: resume)
        let resumed = try h.run(TrainStage.self, never, inputs: inputs, resume: resume)
        XCTAssertEqual(resumed.measurements["resumed_after_epoch"], 2)
        XCTAssertEqual(try Data(contentsOf: resumed.output("checkpoint")), try Data(contentsOf: context.output("checkpoint")))
    }

    /// A resume file's fingerprint names the config as builds before plateau_loss did (Swift's description
    /// of the old fields: pinned here), so a run killed under an older build resumes under this one; with
    /// plateau_loss set it is named too (another run, another fingerprint).
    func testTheResumeFingerprintOfARunWithoutPlateauLossIsUnchanged() {
        var config = TrainingConfig(batchSize: 16, learningRate: 0.05, initSeed: 1, shuffleSeed: 7, maxEpochs: 4, patience: 4,
                                    patienceUnit: .epochs)
        let old = "TrainingConfig(batchSize: 16, learningRate: 0.05, initSeed: 1, shuffleSeed: 7, maxEpochs: 4, patience: 4, "
            + "patienceUnit: Training.PatienceUnit.epochs, replicate: 1, snapshotLimit: 0)"
        XCTAssertEqual(config.resumeDescription, old)
        XCTAssertEqual(config.resumeDescription, "\(config)".replacingOccurrences(of: ", plateauLoss: nil", with: ""),
                       "every field but plateauLoss, as Swift describes them")
        config.plateauLoss = 0.68
        XCTAssertEqual(config.resumeDescription, String(old.dropLast()) + ", plateauLoss: 0.68)")
    }
}
