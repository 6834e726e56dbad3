// The training loop of the study (spec S3), independent of stages and files: plain SGD over seeded
// per-epoch shuffles, per-epoch training/validation losses, epoch distances, every update norm, and
// early stopping with a patience window. Stage glue (TrainStage) and checkpoint files
// (TrainingCheckpoint) sit on top; a data-parallel trainer can swap the `BatchGradient`.
import Datasets
import NN
import Tensor

/// The unit of the early-stopping window.
public enum PatienceUnit: String, Sendable, CaseIterable {
    case epochs, iterations
}

/// Why training ended.
public enum StopReason: String, Sendable {
    case patience, maxEpochs = "max_epochs"
}

/// The seed replicate r uses in place of `base`: replicate 1 keeps `base` (a pipeline that adds
/// replicates reuses its single run as replicate 1); replicate r > 1 gets one SplitMix64 output of a
/// mix of both, so replicates draw independent initial weights and data orders.
public func replicateSeed(_ base: UInt64, replicate: Int) -> UInt64 {
    precondition(replicate >= 1, "replicates count from 1")
    guard replicate > 1 else { return base }
    var z = (base ^ (UInt64(replicate) &* 0xD1B5_4A32_D192_ED03)) &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

public struct TrainingConfig: Sendable, Hashable {
    public var batchSize: Int
    public var learningRate: Float
    /// Seed of the initial weights (shared by the runs of a family, so distances compare like with like).
    public var initSeed: UInt64
    /// Seed of the per-epoch data order (epoch e uses stream (shuffleSeed, e)).
    public var shuffleSeed: UInt64
    public var maxEpochs: Int
    /// Stop once the validation loss has not improved for this many `patienceUnit`s.
    public var patience: Int
    public var patienceUnit: PatienceUnit
    /// The replicate (from 1) this run belongs to; the seeds above are already its own (`replicateSeed`).
    public var replicate: Int
    /// θ snapshots kept for PCA trajectories (0: none); see `ThetaSnapshots`.
    public var snapshotLimit: Int
    /// Early stopping is armed only once some validation loss is below this (nil: armed from the start).
    /// Guards against stopping on the initial plateau (ln 2 for two balanced classes), where the best
    /// epoch can sit still for longer than the patience before the loss starts to fall. Derived from the
    /// epoch history each time, never stored, so a resumed run decides as one that never stopped.
    public var plateauLoss: Double?

    public init(batchSize: Int, learningRate: Float, initSeed: UInt64, shuffleSeed: UInt64, maxEpochs: Int,
                patience: Int, patienceUnit: PatienceUnit, replicate: Int = 1, snapshotLimit: Int = 0,
                plateauLoss: Double? = nil) {
        precondition(plateauLoss.map { $0 > 0 && $0.isFinite } ?? true, "plateau loss must be finite and > 0")
        self.plateauLoss = plateauLoss
        self.replicate = replicate
        self.snapshotLimit = snapshotLimit
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.initSeed = initSeed
        self.shuffleSeed = shuffleSeed
        self.maxEpochs = maxEpochs
        self.patience = patience
        self.patienceUnit = patienceUnit
    }
}

extension TrainingConfig {
    /// The config as a resume file's fingerprint names it: Swift's default description of the fields
    /// before `plateauLoss` existed, plus `plateauLoss` only when set. A run without it keeps the
    /// fingerprint older builds wrote (same cache key, same resume folder), so their resume files still load.
    public var resumeDescription: String {
        "TrainingConfig(batchSize: \(batchSize), learningRate: \(learningRate), initSeed: \(initSeed), shuffleSeed: \(shuffleSeed), "
            + "maxEpochs: \(maxEpochs), patience: \(patience), patienceUnit: \(String(reflecting: patienceUnit)), "
            + "replicate: \(replicate), snapshotLimit: \(snapshotLimit)" + (plateauLoss.map { ", plateauLoss: \($0)" } ?? "") + ")"
    }
}

/// One completed epoch.
public struct EpochSummary: Sendable, Equatable {
    /// Mean over the epoch's batches of the batch-mean loss (what Keras reports).
    public var trainLoss: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    /// ‖θ_end(e) − θ_start(e)‖₂.
    public var distance: Double

    public init(trainLoss: Double, validationLoss: Double, validationAccuracy: Double, distance: Double) {
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.distance = distance
    }
}

/// Everything needed to continue after a completed epoch: what a resume checkpoint holds.
public struct TrainingState: Sendable, Equatable {
    public var theta: [Float]
    public var thetaInit: [Float]
    /// Parameters after the epoch with the lowest validation loss (θ_init before the first epoch).
    public var thetaMin: [Float]
    public var epochs: [EpochSummary] = []
    /// ‖Δθ‖₂ of every update, in order.
    public var updateNorms: [Double] = []
    /// The gradient noise scale's window of every completed epoch (GradientNoiseScale.swift).
    public var noise: [NoiseScaleEpoch] = []
    /// θ after some epochs, for PCA trajectories (empty unless `snapshotLimit` > 0).
    public var snapshots = ThetaSnapshots()
    /// 1-based epoch of the lowest validation loss; 0 before the first epoch.
    public var bestEpoch = 0
    public var stopped: StopReason?

    public init(theta: [Float], thetaInit: [Float], thetaMin: [Float], epochs: [EpochSummary] = [],
                updateNorms: [Double] = [], noise: [NoiseScaleEpoch] = [], snapshots: ThetaSnapshots = ThetaSnapshots(),
                bestEpoch: Int = 0, stopped: StopReason? = nil) {
        self.noise = noise
        self.snapshots = snapshots
        self.theta = theta
        self.thetaInit = thetaInit
        self.thetaMin = thetaMin
        self.epochs = epochs
        self.updateNorms = updateNorms
        self.bestEpoch = bestEpoch
        self.stopped = stopped
    }

    public var completedEpochs: Int { epochs.count }
    public var minimumValidationLoss: Double? { bestEpoch > 0 ? epochs[bestEpoch - 1].validationLoss : nil }

    /// The first epoch (from 1) whose validation loss is below `plateauLoss`; nil while none is.
    public func plateauLeftEpoch(_ plateauLoss: Double) -> Int? {
        epochs.firstIndex { $0.validationLoss < plateauLoss }.map { $0 + 1 }
    }
}

/// The gradient of the SUM of per-example losses over one batch (overwrites `into`), and the
/// squared norms of its fixed chunks' gradients added to `chunks` (the noise scale's small batches).
/// The local version runs one Network; a data-parallel one sums the ranks' slices (and their chunk
/// sums) with an all-reduce.
public protocol BatchGradient: AnyObject {
    func gradientSum(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                     labels: UnsafeBufferPointer<Float>, into: UnsafeMutableBufferPointer<Float>,
                     chunks: inout ChunkGradientNorms) -> BatchStats
}

extension Network: BatchGradient {
    public func gradientSum(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                            labels: UnsafeBufferPointer<Float>, into: UnsafeMutableBufferPointer<Float>,
                            chunks: inout ChunkGradientNorms) -> BatchStats {
        gradient(parameters: parameters, images: images, labels: labels, gradient: into, chunks: &chunks)
    }
}

/// Loss and accuracy of some parameters on a whole set (forward only). The local version runs one
/// Network over the set; a data-parallel one splits the set over ranks and sums their stats.
public protocol SetEvaluation: AnyObject {
    func evaluateSet(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                     labels: UnsafeBufferPointer<Float>) -> BatchStats
}

extension Network: SetEvaluation {
    public func evaluateSet(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                            labels: UnsafeBufferPointer<Float>) -> BatchStats {
        // The Trainer checked the sizes at init; evaluateDataset throws only on a mismatch.
        try! evaluateDataset(parameters: parameters, images: images, labels: labels)
    }
}

public final class Trainer {
    public let model: Model
    public let config: TrainingConfig
    public let train: TrainingData
    public let validation: TrainingData
    private let gradientSource: any BatchGradient
    private let evaluationSource: any SetEvaluation
    private let threads: Int

    /// `gradient` / `evaluation` nil use one local Network (one process); `threads` only changes
    /// speed, never bits. A data-parallel trainer passes both (see DataParallelGradient).
    public init(model: Model, config: TrainingConfig, train: TrainingData, validation: TrainingData, threads: Int,
                gradient: (any BatchGradient)? = nil, evaluation: (any SetEvaluation)? = nil) {
        precondition(config.batchSize >= 1 && config.maxEpochs >= 1 && config.patience >= 1, "bad training config \(config)")
        precondition(train.count > 0 && validation.count > 0, "training needs training and validation images")
        precondition(train.images.count == train.count * model.spec.inputSize, "training images do not match the model")
        self.model = model
        self.config = config
        self.train = train
        self.validation = validation
        self.threads = threads
        if let gradient, let evaluation {
            gradientSource = gradient
            evaluationSource = evaluation
        } else {
            let network = Network(model: model, maxBatch: Self.evaluationBatch(config.batchSize), threads: threads)
            gradientSource = gradient ?? network
            evaluationSource = evaluation ?? network
        }
    }

    /// Images per batch when the validation set is evaluated: the training batch, at least
    /// `minimumEvaluationBatch`. The network sums losses batch by batch, so this fixes the order of the
    /// validation-loss sums: changing it changes every checkpoint's bits (bump train's code version).
    public static func evaluationBatch(_ batchSize: Int) -> Int { max(batchSize, minimumEvaluationBatch) }
    public static let minimumEvaluationBatch = 128

    /// Updates per epoch (the last batch may be smaller than the batch size).
    public var stepsPerEpoch: Int { (train.count + config.batchSize - 1) / config.batchSize }

    public func initialState() -> TrainingState {
        let theta = model.initialParameters(seed: config.initSeed)
        return TrainingState(theta: theta, thetaInit: theta, thetaMin: theta)
    }

    /// Trains from `state` until early stopping or the epoch cap; `afterEpoch` sees every completed
    /// epoch's state (resume checkpoints, progress). Continuing from a saved state gives the same bits
    /// as never stopping: epoch e's order depends only on (shuffleSeed, e).
    public func run(_ state: inout TrainingState, afterEpoch: (TrainingState) throws -> Void) throws {
        while state.stopped == nil {
            runEpoch(&state)
            state.snapshots.record(epoch: state.completedEpochs, theta: state.theta, limit: config.snapshotLimit)
            state.stopped = stopReason(state)
            try afterEpoch(state)
        }
    }

    /// The stop decision after the last completed epoch, nil to go on. With a plateau loss, patience
    /// applies only once an epoch has gone below it; before that only the epoch cap stops the run.
    func stopReason(_ state: TrainingState) -> StopReason? {
        let armed = config.plateauLoss.map { state.plateauLeftEpoch($0) != nil } ?? true
        guard armed else { return state.completedEpochs >= config.maxEpochs ? .maxEpochs : nil }
        let since = state.completedEpochs - state.bestEpoch
        let window = config.patienceUnit == .epochs ? since : since * stepsPerEpoch
        if window >= config.patience { return .patience }
        return state.completedEpochs >= config.maxEpochs ? .maxEpochs : nil
    }

    /// One epoch: shuffle, SGD over every batch, then validate (the `timing` stage times exactly this).
    public func runEpoch(_ state: inout TrainingState) {
        let epoch = state.completedEpochs + 1
        var order = Array(0..<train.count)
        var random = SeededRandom(seed: config.shuffleSeed, stream: 0x5348_5546_464C, index: UInt64(epoch))  // "SHUFFL"
        random.shuffle(&order)
        let size = model.spec.inputSize, bs = config.batchSize
        var batchImages = [Float](repeating: 0, count: bs * size)
        var batchLabels = [Float](repeating: 0, count: bs)
        var gradient = [Float](repeating: 0, count: model.parameterCount)
        let start = state.theta
        var lossSum = 0.0
        var batches = 0
        var noise = NoiseScaleWindow()
        train.images.withUnsafeBufferPointer { images in
            for first in stride(from: 0, to: order.count, by: bs) {
                let n = min(bs, order.count - first)
                batchImages.withUnsafeMutableBufferPointer { out in
                    for r in 0..<n {
                        let src = order[first + r] * size
                        _ = UnsafeMutableBufferPointer(rebasing: out[(r * size)..<((r + 1) * size)])
                            .update(fromContentsOf: UnsafeBufferPointer(rebasing: images[src..<(src + size)]))
                        batchLabels[r] = train.labels[order[first + r]]
                    }
                }
                var chunks = ChunkGradientNorms()
                let stats = state.theta.withUnsafeBufferPointer { theta in
                    batchImages.withUnsafeBufferPointer { x in
                        batchLabels.withUnsafeBufferPointer { y in
                            gradient.withUnsafeMutableBufferPointer { g in
                                gradientSource.gradientSum(parameters: theta, images: UnsafeBufferPointer(rebasing: x[0..<(n * size)]),
                                                           labels: UnsafeBufferPointer(rebasing: y[0..<n]), into: g, chunks: &chunks)
                            }
                        }
                    }
                }
                // |g/B|² and the step's ‖Δθ‖ are two Double sums over every parameter in order (latency-bound,
                // ~0.1 ms each at 163k parameters): side by side on two workers, each sum unchanged. Both read
                // g and only SGD.step writes (θ), so neither sees the other's work.
                var big = 0.0, norm = 0.0
                state.theta.withUnsafeMutableBufferPointer { theta in
                    gradient.withUnsafeBufferPointer { g in
                        Parallel.forEachChunk(2, threads: threads) { task, _ in
                            if task == 0 {
                                norm = SGD.step(parameters: theta, gradientSum: g, count: n, learningRate: config.learningRate)
                            } else {
                                big = meanSquaredNorm(sumGradient: g, count: n)
                            }
                        }
                    }
                }
                noise.add(NoiseScaleEstimate(batchMeanSquaredNorm: big, batchSize: n, chunks: chunks, population: train.count))
                state.updateNorms.append(norm)
                lossSum += stats.meanLoss
                batches += 1
            }
        }
        state.noise.append(noise.epoch)
        let val = evaluate(state.theta, on: validation)
        var distance2 = 0.0
        for i in 0..<start.count {
            let d = Double(state.theta[i]) - Double(start[i])
            distance2 += d * d
        }
        state.epochs.append(EpochSummary(trainLoss: lossSum / Double(batches), validationLoss: val.meanLoss,
                                         validationAccuracy: val.accuracy, distance: distance2.squareRoot()))
        if let best = state.minimumValidationLoss, val.meanLoss >= best { return }
        state.bestEpoch = epoch
        state.thetaMin = state.theta
    }

    /// Loss and accuracy of `theta` on a whole set (forward only).
    public func evaluate(_ theta: [Float], on data: TrainingData) -> BatchStats {
        theta.withUnsafeBufferPointer { p in
            data.images.withUnsafeBufferPointer { x in
                data.labels.withUnsafeBufferPointer { y in
                    evaluationSource.evaluateSet(parameters: p, images: x, labels: y)
                }
            }
        }
    }
}
