// Training files: the checkpoint OBJECT a train stage outputs (content only: bit-identical on every
// rerun) and the per-epoch RESUME file kept outside the object store (also holds wall times).
//
// Checkpoint layout:
//   /theta/init, /theta/min, /theta/final   float32 (P)    flat parameters, ParameterLayout order
//   /layout/offset, /layout/count, /layout/kind int64 (S)  kind: 0 conv weight, 1 dense weight, 2 bias
//   /layout/shape int64 (S, 4) (trailing 1s pad)           attribute `names` on /layout: comma-separated
//   /epochs/train_loss, /epochs/val_loss, /epochs/val_accuracy, /epochs/distance   float64 (E)
//   /updates/norm float64 (E · steps_per_epoch)
//   /noise/gradient_squared, /noise/trace, /noise/b_simple float64 (E), /noise/batches int64 (E)
//       the gradient noise scale's per-epoch window (GradientNoiseScale.swift); attributes on /noise:
//       small_batch (the chunk size), population (training images), window
//   /snapshots/theta float32 (S, P), /snapshots/epoch int64 (S), attribute `every` on /snapshots:
//       θ after epochs every·k (ThetaSnapshots), only when the run keeps snapshots (`snapshots` > 0)
//   attributes on /: batch_size, lr, seed, shuffle_seed (the replicate's own), replicate (only when > 1), workers, epochs_run, epoch_min, min_val_loss, stopped, …
//       plateau_loss and plateau_left_epoch (first epoch with val loss < plateau_loss, 0: never) only when the run sets plateau_loss
import Foundation
import NN
import Store

public enum TrainingCheckpoint {
    /// Writes the checkpoint object of a finished run.
    /// `workers`: the MPI ranks that trained it (content: it fixes the gradients' summation order).
    public static func write(_ state: TrainingState, model: Model, config: TrainingConfig, workers: Int, trainCount: Int,
                             validationCount: Int, to path: String) throws {
        let file = try HDF5File.create(path)
        try file.write("/theta/init", HDF5Array(shape: [state.thetaInit.count], values: state.thetaInit))
        try file.write("/theta/min", HDF5Array(shape: [state.thetaMin.count], values: state.thetaMin))
        try file.write("/theta/final", HDF5Array(shape: [state.theta.count], values: state.theta))
        try writeLayout(model, to: file)
        try writeSeries(state, to: file)
        try writeNoiseAttributes(trainCount: trainCount, to: file)
        try writeSnapshots(state.snapshots, to: file)
        let attributes: [(String, HDF5AttributeValue)] = [
            ("batch_size", .int(Int64(config.batchSize))),
            ("lr", .double(Double(config.learningRate))),
            ("seed", .int(Int64(bitPattern: config.initSeed))),
            ("shuffle_seed", .int(Int64(bitPattern: config.shuffleSeed))),
            ("max_epochs", .int(Int64(config.maxEpochs))),
            ("patience", .int(Int64(config.patience))),
            ("patience_unit", .string(config.patienceUnit.rawValue)),
            ("workers", .int(Int64(workers))),
            ("epochs_run", .int(Int64(state.completedEpochs))),
            ("epoch_min", .int(Int64(state.bestEpoch))),
            ("min_val_loss", .double(state.minimumValidationLoss ?? .nan)),
            ("stopped", .string(state.stopped?.rawValue ?? "running")),
            ("steps_per_epoch", .int(Int64((trainCount + config.batchSize - 1) / config.batchSize))),
            ("train_count", .int(Int64(trainCount))),
            ("validation_count", .int(Int64(validationCount))),
            ("model", .string(model.spec.description)),
            ("optimizer", .string("plain SGD (no momentum, no weight decay), lr × mean gradient")),
        ]
        for (name, value) in attributes { try file.setAttribute(name, value) }
        // Only replicates after the first say so: replicate 1 is byte for byte the unreplicated run.
        if config.replicate > 1 { try file.setAttribute("replicate", .int(Int64(config.replicate))) }
        // Only runs with a plateau loss, so the others keep their bytes. plateau_left_epoch 0: never below it.
        if let plateau = config.plateauLoss {
            try file.setAttribute("plateau_loss", .double(plateau))
            try file.setAttribute("plateau_left_epoch", .int(Int64(state.plateauLeftEpoch(plateau) ?? 0)))
        }
        try file.close()
    }

    static func writeLayout(_ model: Model, to file: HDF5File) throws {
        let slices = model.layout.slices
        let kinds: [ParameterKind: Int64] = [.convWeight: 0, .denseWeight: 1, .bias: 2]
        try file.write("/layout/offset", HDF5Array(shape: [slices.count], values: slices.map { Int64($0.offset) }))
        try file.write("/layout/count", HDF5Array(shape: [slices.count], values: slices.map { Int64($0.count) }))
        try file.write("/layout/kind", HDF5Array(shape: [slices.count], values: slices.map { kinds[$0.kind]! }))
        var shapes: [Int64] = []
        for slice in slices {
            shapes += (slice.shape + Array(repeating: 1, count: 4 - slice.shape.count)).map { Int64($0) }
        }
        try file.write("/layout/shape", HDF5Array(shape: [slices.count, 4], values: shapes))
        try file.setAttribute("names", .string(slices.map(\.name).joined(separator: ",")), at: "/layout")
        try file.setAttribute("conv_widths", .ints(model.spec.convWidths.map(Int64.init)), at: "/layout")
        try file.setAttribute("dense_widths", .ints(model.spec.denseWidths.map(Int64.init)), at: "/layout")
        try file.setAttribute("input", .ints([model.spec.channels, model.spec.height, model.spec.width].map(Int64.init)),
                              at: "/layout")
    }

    static func writeSeries(_ state: TrainingState, to file: HDF5File) throws {
        let e = state.epochs
        try file.write("/epochs/train_loss", HDF5Array(shape: [e.count], values: e.map(\.trainLoss)))
        try file.write("/epochs/val_loss", HDF5Array(shape: [e.count], values: e.map(\.validationLoss)))
        try file.write("/epochs/val_accuracy", HDF5Array(shape: [e.count], values: e.map(\.validationAccuracy)))
        try file.write("/epochs/distance", HDF5Array(shape: [e.count], values: e.map(\.distance)))
        try file.write("/updates/norm", HDF5Array(shape: [state.updateNorms.count], values: state.updateNorms))
        let n = state.noise
        try file.write("/noise/gradient_squared", HDF5Array(shape: [n.count], values: n.map(\.gradientSquared)))
        try file.write("/noise/trace", HDF5Array(shape: [n.count], values: n.map(\.trace)))
        try file.write("/noise/b_simple", HDF5Array(shape: [n.count], values: n.map(\.bSimple)))
        try file.write("/noise/batches", HDF5Array(shape: [n.count], values: n.map { Int64($0.batches) }))
    }

    /// The noise-scale attributes of a checkpoint (not of the resume file, which needs none).
    static func writeNoiseAttributes(trainCount: Int, to file: HDF5File) throws {
        try file.setAttribute("small_batch", .int(Int64(Network.chunkSize)), at: "/noise")
        try file.setAttribute("population", .int(Int64(trainCount)), at: "/noise")
        try file.setAttribute("window", .string("epoch: plain mean of the batches' |G|² and tr(Σ) estimates, then the ratio"),
                              at: "/noise")
    }

    /// Nothing when there are no snapshots, so runs without them keep their layout.
    static func writeSnapshots(_ snapshots: ThetaSnapshots, to file: HDF5File) throws {
        guard snapshots.count > 0 else { return }
        let p = snapshots.thetas[0].count
        try file.write("/snapshots/theta", HDF5Array(shape: [snapshots.count, p], values: snapshots.thetas.flatMap { $0 }))
        try file.write("/snapshots/epoch", HDF5Array(shape: [snapshots.count], values: snapshots.epochs.map { Int64($0) }))
        try file.setAttribute("every", .int(Int64(snapshots.every)), at: "/snapshots")
    }

    /// The θ snapshots of a checkpoint or resume file (none when it has no /snapshots).
    public static func readSnapshots(_ file: HDF5File) throws -> ThetaSnapshots {
        guard try file.exists("/snapshots/epoch") else { return ThetaSnapshots() }
        let epochs = try file.read("/snapshots/epoch", as: Int64.self).values.map { Int($0) }
        let flat = try file.read("/snapshots/theta", as: Float.self).values
        guard case .int(let every) = try file.attribute("every", at: "/snapshots"), !epochs.isEmpty, flat.count % epochs.count == 0 else {
            throw StudyError.badInput(stage: "-", file: file.path, detail: "/snapshots is incomplete (theta, epoch, @every)")
        }
        let p = flat.count / epochs.count
        return ThetaSnapshots(epochs: epochs, thetas: epochs.indices.map { Array(flat[($0 * p)..<(($0 + 1) * p)]) }, every: Int(every))
    }

    /// The per-epoch noise-scale windows (empty for a checkpoint written before they were recorded).
    public static func readNoise(_ file: HDF5File) throws -> [NoiseScaleEpoch] {
        guard try file.exists("/noise/trace") else { return [] }
        let g = try file.read("/noise/gradient_squared", as: Double.self).values
        let t = try file.read("/noise/trace", as: Double.self).values
        let b = try file.read("/noise/batches", as: Int64.self).values
        return g.indices.map { NoiseScaleEpoch(gradientSquared: g[$0], trace: t[$0], batches: Int(b[$0])) }
    }

    static func readSeries(_ file: HDF5File) throws -> [EpochSummary] {
        let t = try file.read("/epochs/train_loss", as: Double.self).values
        let v = try file.read("/epochs/val_loss", as: Double.self).values
        let a = try file.read("/epochs/val_accuracy", as: Double.self).values
        let d = try file.read("/epochs/distance", as: Double.self).values
        return t.indices.map { EpochSummary(trainLoss: t[$0], validationLoss: v[$0], validationAccuracy: a[$0], distance: d[$0]) }
    }
}

/// The resume file: the state after the last completed epoch plus each epoch's wall time.
/// Atomic writes and the format/fingerprint check are `ResumeFile`'s.
public enum ResumeCheckpoint {
    static let fileName = "train-state.h5"
    static let format = "batchlab-train-resume-2"  // 2: the noise-scale series

    public static func save(_ state: TrainingState, epochSeconds: [Double], fingerprint: String, in directory: URL) throws {
        try ResumeFile.write(fileName, in: directory, format: format, fingerprint: fingerprint) { file in
            try file.write("/theta/current", HDF5Array(shape: [state.theta.count], values: state.theta))
            try file.write("/theta/init", HDF5Array(shape: [state.thetaInit.count], values: state.thetaInit))
            try file.write("/theta/min", HDF5Array(shape: [state.thetaMin.count], values: state.thetaMin))
            try TrainingCheckpoint.writeSeries(state, to: file)
            try file.write("/epochs/seconds", HDF5Array(shape: [epochSeconds.count], values: epochSeconds))
            try TrainingCheckpoint.writeSnapshots(state.snapshots, to: file)
            try file.setAttribute("best_epoch", .int(Int64(state.bestEpoch)))
            try file.setAttribute("stopped", .string(state.stopped?.rawValue ?? ""))
        }
    }

    /// The saved state, or nil when there is none; throws when one exists but does not fit.
    public static func load(in directory: URL, fingerprint: String) throws -> (TrainingState, [Double])? {
        try ResumeFile.read(fileName, in: directory, format: format, fingerprint: fingerprint, owner: "run") { file, path in
            guard case .int(let best)? = try? file.attribute("best_epoch"),
                  case .string(let stopped)? = try? file.attribute("stopped") else {
                throw StudyError.badResumeState(path: path, detail: "written by another format or another run")
            }
            let epochs = try TrainingCheckpoint.readSeries(file)
            let state = TrainingState(theta: try file.read("/theta/current", as: Float.self).values,
                                      thetaInit: try file.read("/theta/init", as: Float.self).values,
                                      thetaMin: try file.read("/theta/min", as: Float.self).values,
                                      epochs: epochs, updateNorms: try file.read("/updates/norm", as: Double.self).values,
                                      noise: try TrainingCheckpoint.readNoise(file), snapshots: try TrainingCheckpoint.readSnapshots(file),
                                      bestEpoch: Int(best), stopped: StopReason(rawValue: stopped))
            return (state, try file.read("/epochs/seconds", as: Double.self).values)
        }
    }

    public static func remove(in directory: URL) {
        try? FileManager.default.removeItem(at: directory)
    }
}
