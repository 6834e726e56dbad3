// A training run's history read back from its checkpoint without its weights: batch size, lr,
// replicate, updates per epoch, the per-epoch losses and the gradient noise scale. What the
// critical-batch analysis (steps to a target loss) and the noise-scale figures read.
import Foundation
import Store

public struct TrainingHistory: Sendable {
    public var batchSize: Int
    public var learningRate: Double
    public var replicate: Int
    public var stepsPerEpoch: Int
    public var trainLoss: [Double]
    public var validationLoss: [Double]
    public var noise: [NoiseScaleEpoch]
    public var path: String

    public init(batchSize: Int, learningRate: Double, replicate: Int = 1, stepsPerEpoch: Int, trainLoss: [Double],
                validationLoss: [Double], noise: [NoiseScaleEpoch], path: String = "") {
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.replicate = replicate
        self.stepsPerEpoch = stepsPerEpoch
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.noise = noise
        self.path = path
    }

    /// Reads a `train` checkpoint object; `stage` names the reader in errors.
    public static func load(_ url: URL, stage: String) throws -> TrainingHistory {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        guard case .int(let bs) = try file.attribute("batch_size"), case .double(let lr) = try file.attribute("lr"),
              case .int(let steps) = try file.attribute("steps_per_epoch") else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "checkpoint attributes batch_size, lr, steps_per_epoch")
        }
        var replicate = 1
        if case .int(let r)? = try? file.attribute("replicate") { replicate = Int(r) }
        let noise = try TrainingCheckpoint.readNoise(file)
        let epochs = try TrainingCheckpoint.readSeries(file)
        guard noise.count == epochs.count else {
            throw StudyError.badInput(stage: stage, file: url.path,
                                      detail: "no gradient noise scale per epoch (\(noise.count) windows, \(epochs.count) epochs): "
                                          + "a checkpoint from train code version < 4; rerun its train stage")
        }
        return TrainingHistory(batchSize: Int(bs), learningRate: lr, replicate: replicate, stepsPerEpoch: Int(steps),
                               trainLoss: epochs.map(\.trainLoss), validationLoss: epochs.map(\.validationLoss),
                               noise: noise, path: url.path)
    }

    /// The first epoch (from 1) whose validation loss is at or below `target`, nil if none.
    public func epochReaching(_ target: Double) -> Int? {
        validationLoss.firstIndex { $0 <= target }.map { $0 + 1 }
    }

    /// Updates until the end of the first epoch at or below `target` (validation runs once per
    /// epoch, so this resolves steps to one epoch's updates), nil if never reached.
    public func stepsToTarget(_ target: Double) -> Int? { epochReaching(target).map { $0 * stepsPerEpoch } }

    /// The noise scale over the `window` epochs ending at `epoch` (from 1): each epoch's |G|² and
    /// tr(Σ) weighted by its batches, summed, then divided (nil when no batch gave an estimate).
    public func pooledNoise(endingAt epoch: Int, window: Int) -> NoiseScaleEpoch? {
        precondition(epoch >= 1 && epoch <= noise.count && window >= 1, "epoch \(epoch) outside 1…\(noise.count)")
        return NoiseScaleEpoch.pooled(noise[max(0, epoch - window)..<epoch])
    }
}
