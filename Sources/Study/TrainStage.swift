// `train`: one SGD run (one batch size, one learning rate) on an image set and its split → one
// checkpoint object. Resumes after a kill from the resume file in its resume directory; wall times
// are measurements (index only), never content. With `workers: N > 1` the same loop runs as N MPI
// ranks (data-parallel, see DataParallelGradient); rank 0 writes the object and the resume file.
import Datasets
import Distributed
import Foundation
import NN
import Pipeline
import Store
import Tensor
import Training

public struct TrainStage: Stage {
    public static let kind = "train"
    // The network's forward and backward passes: BLAS and the conv engine.
    public static let numerics = StageNumerics.kernels
    public static let codeVersion = 4  // (replicates need no bump: replicate 1 is unchanged)
    // 2: the checkpoint records `workers`; 3: AVX-512 conv kernels, vectorised pooling backward;
    // 4: the gradient noise scale per epoch (/noise; θ's bits unchanged)

    /// 5 for data-parallel runs (workers > 1): rank slices of whole 8-image chunks, so the noise scale's
    /// small batches are the 1-process chunks (other bits where a slice used to cut a chunk). One
    /// process is unchanged, so its cached runs (every run of the project's pipelines) stay fresh.
    public static func codeVersion(for parameters: [String: ParamValue]) -> Int {
        (parameters["workers"]?.intValue ?? 1) > 1 ? 5 : codeVersion
    }
    public static let summary = "plain SGD with early stopping → θ_init, θ_min, θ_final, per-epoch series, update norms, noise scale"

    public struct Parameters: StageParameters {
        public var batchSize = 0
        public var lr = 0.0
        public var seed = 1
        public var shuffleSeed = 1
        public var replicate = 1
        public var maxEpochs = 100
        public var patience = 10
        public var patienceUnit = PatienceUnit.epochs
        public var plateauLoss: Double?
        public var convWidths = [16, 32, 64]
        public var denseWidths = [128, 64]
        public var snapshots = 0
        public var workers = 1

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("batch_size", \.batchSize, help: "mini-batch size", range: .atLeast(1), required: true),
             .field("lr", \.lr, help: "learning rate", range: .greaterThan(0), required: true),
             .field("seed", \.seed, help: "initial-weight seed (shared by a family)"),
             .field("shuffle_seed", \.shuffleSeed, help: "seed of the per-epoch data order"),
             .field(Replicates.parameter, \.replicate,
                    help: "replicate number (from 1; set by `replicates: N`): replicate r > 1 derives its own initial-weight and data-order seeds",
                    range: .atLeast(1)),
             .field("max_epochs", \.maxEpochs, help: "epoch cap", range: .atLeast(1)),
             .field("patience", \.patience, help: "early-stopping window size", range: .atLeast(1)),
             .field("patience_unit", \.patienceUnit, help: "epochs or iterations"),
             // Optional: left out, it is not in the cache key, so runs that do not set it keep their objects.
             .optionalField("plateau_loss", \.plateauLoss,
                            help: "early stopping is armed only once a validation loss below this has been seen (before: "
                                + "train on, up to max_epochs); not set = armed from the first epoch. Guards against "
                                + "stopping on the initial plateau (ln 2 ≈ 0.6931 for two balanced classes)",
                            range: .greaterThan(0)),
             .field("conv_widths", \.convWidths, help: "conv block widths", range: .atLeast(1)),
             .field("dense_widths", \.denseWidths, help: "dense layer widths", range: .atLeast(1)),
             .field("snapshots", \.snapshots,
                    help: "θ snapshots kept for PCA trajectories (0 = none): every epoch, thinned to every 2^k epochs to keep at most this many",
                    range: .atLeast(0)),
             // In the cache key: N ranks sum the gradient in another float order, so N is another run.
             .field("workers", \.workers,
                    help: "MPI ranks; > 1 trains data-parallel under mpirun (same global batch in slices of whole 8-image chunks, "
                        + "other float summation order; code version 5)",
                    range: .atLeast(1))]
        }

        /// The training loop's configuration (ranges and the patience unit were checked when decoding).
        var trainingConfig: TrainingConfig {
            TrainingConfig(batchSize: batchSize, learningRate: Float(lr),
                           initSeed: replicateSeed(UInt64(truncatingIfNeeded: seed), replicate: replicate),
                           shuffleSeed: replicateSeed(UInt64(truncatingIfNeeded: shuffleSeed), replicate: replicate),
                           maxEpochs: maxEpochs, patience: patience, patienceUnit: patienceUnit, replicate: replicate,
                           snapshotLimit: snapshots, plateauLoss: plateauLoss)
        }
    }

    public static let inputs = [InputSpec("data", help: "an image-set object"), InputSpec("split", help: "a split object")]
    public static let outputs = [OutputSpec("checkpoint", .hdf5, help: "weights, layout, series, update norms")]

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)  // parameter errors here, before any rank starts
        if p.workers > 1 { return try StageRanks.launch(context, kind: self, workers: p.workers) }
        let (model, train, validation) = try loadData(context, p)
        let trainer = Trainer(model: model, config: p.trainingConfig, train: train, validation: validation, threads: context.threads)
        try trainLoop(trainer, context: context, workers: 1, writes: true, agreeOnResume: { _ in })
    }

    /// The body of one MPI rank (`workers` > 1): the same loop over a data-parallel gradient.
    static func runRank(_ context: StageContext, _ communicator: Communicator) throws {
        let p = try context.parameters(Parameters.self)
        let config = p.trainingConfig
        let (model, train, validation) = try loadData(context, p)
        let parallel = DataParallelGradient(model: model, maxBatch: Trainer.evaluationBatch(config.batchSize), threads: context.threads,
                                            communicator: communicator)
        let trainer = Trainer(model: model, config: config, train: train, validation: validation, threads: context.threads,
                              gradient: parallel, evaluation: parallel)
        try trainLoop(trainer, context: context, workers: communicator.size, writes: communicator.isRoot) { epochs in
            // Every rank read the same resume file (shared folder); make sure they start together.
            let high = try communicator.allreduceMax(Double(epochs)), low = -(try communicator.allreduceMax(-Double(epochs)))
            guard high == low else {
                throw StudyError.badResumeState(path: context.resumeDirectory?.path ?? "-",
                                                detail: "ranks resume after different epochs (\(Int(low))…\(Int(high))); "
                                                    + "is the resume folder on a filesystem every rank sees?")
            }
        }
    }

    /// The training loop with resume checkpoints, progress and reporting. Every rank runs it; only
    /// the writer (rank 0, or the single process) saves resume files, writes the object and reports.
    static func trainLoop(_ trainer: Trainer, context: StageContext, workers: Int, writes: Bool,
                          agreeOnResume: (Int) throws -> Void) throws {
        let (config, model) = (trainer.config, trainer.model)
        let (train, validation) = (trainer.train, trainer.validation)
        // The resume directory is private to this stage's cache key; the fingerprint guards the rest.
        let fingerprint = "\(kind) v\(codeVersion(for: context.parameters)) \(config.resumeDescription) \(model.spec) train \(train.count) val \(validation.count)"
            + (workers > 1 ? " workers \(workers)" : "")
        var state = trainer.initialState()
        var seconds: [Double] = []
        if let dir = context.resumeDirectory, let saved = try ResumeCheckpoint.load(in: dir, fingerprint: fingerprint) {
            (state, seconds) = saved
            context.measure("resumed_after_epoch", Double(state.completedEpochs))
            if writes { context.note("resumed from epoch \(state.completedEpochs) of \(config.maxEpochs)") }
        }
        try agreeOnResume(state.completedEpochs)
        var epochStart = Date()
        var lastSave: Date?
        try trainer.run(&state) { state in
            seconds.append(Date().timeIntervalSince(epochStart))
            // Read once: a stop asked for after this line is served at the next epoch, whose state is saved.
            let stopping = context.stop.isRequested
            if writes, let dir = context.resumeDirectory,
               Self.resumeSaveIsDue(lastSave: lastSave, now: Date(), stopped: state.stopped != nil, stopping: stopping) {
                try ResumeCheckpoint.save(state, epochSeconds: seconds, fingerprint: fingerprint, in: dir)
                lastSave = Date()
            }
            let e = state.epochs.last!
            context.progress(String(format: "epoch %d/%d loss %.4f val %.4f acc %.3f", state.completedEpochs,
                                    config.maxEpochs, e.trainLoss, e.validationLoss, e.validationAccuracy))
            // A safe point: the epoch was just saved, so an interruption loses nothing.
            if writes, context.resumeDirectory != nil, stopping {
                throw StageInterrupted(stage: context.instance, kept: "epoch \(state.completedEpochs) of \(config.maxEpochs)")
            }
            epochStart = Date()
        }
        guard writes else { return }
        try TrainingCheckpoint.write(state, model: model, config: config, workers: workers, trainCount: train.count,
                                     validationCount: validation.count, to: context.output("checkpoint").path)
        report(state, plateauLoss: config.plateauLoss, seconds: seconds, context: context)
        context.measure("workers", Double(workers))
        if let dir = context.resumeDirectory { ResumeCheckpoint.remove(in: dir) }
    }

    /// Seconds of training a kill -9 may cost at most. Saving the resume file after every epoch cost about
    /// as much as a small epoch (θ three times, the snapshots, a SHA-256 of the file: 0.04 s beside a 0.11 s
    /// epoch, 0.25 s with 24 θ snapshots; measured 2026-12-03 on the default study, a third of its time).
    static let resumeInterval: TimeInterval = 10

    /// Whether the state after this epoch is written to the resume file: after the first epoch (so a
    /// run killed early resumes, and the kill tests see a file soon), then once `resumeInterval` has
    /// passed, and always before a requested stop; never after the last epoch, whose state goes into the
    /// checkpoint object next. Resuming from any epoch gives the same bits, so this only moves how much
    /// a kill -9 loses, never a result.
    static func resumeSaveIsDue(lastSave: Date?, now: Date, stopped: Bool, stopping: Bool) -> Bool {
        if stopping { return true }
        if stopped { return false }
        guard let lastSave else { return true }
        return now.timeIntervalSince(lastSave) >= resumeInterval
    }

    /// The model for the data's image size, and the training and validation sets as floats.
    static func loadData(_ context: StageContext, _ p: Parameters) throws -> (Model, TrainingData, TrainingData) {
        let stage = context.instance
        let (shape, train, validation) = try loadSplitSets(context)
        let spec = ModelSpec(channels: shape[1], height: shape[2], width: shape[3],
                             convWidths: p.convWidths, denseWidths: p.denseWidths)
        let model: Model
        do { model = try Model(spec) } catch {
            throw StudyError.badParameter(stage: stage, name: "conv_widths", value: "\(spec)", expected: "a buildable model: \(error)")
        }
        return (model, train, validation)
    }

    /// The stage's `data` (image set) and `split` inputs as float training and validation sets, with
    /// the image set's shape (N, C, H, W). Shared by every stage that reads the split data.
    static func loadSplitSets(_ context: StageContext) throws -> (shape: [Int], train: TrainingData, validation: TrainingData) {
        let stage = context.instance
        let data = try HDF5File.open(context.input("data").path)
        defer { try? data.close() }
        let labels = try ImageSetFile.readLabels(data, stage: stage)
        let shape = try data.info(ImageSetFile.images).shape
        let pixels = try data.read(ImageSetFile.images, as: UInt8.self).values
        let splitFile = try HDF5File.open(context.input("split").path)
        defer { try? splitFile.close() }
        let trainIndices = try splitFile.read("/train", as: Int64.self).values.map { Int($0) }
        let validationIndices = try splitFile.read("/validation", as: Int64.self).values.map { Int($0) }
        guard (trainIndices + validationIndices).allSatisfy({ $0 >= 0 && $0 < labels.count }),
              !trainIndices.isEmpty, !validationIndices.isEmpty else {
            throw StudyError.badInput(stage: stage, file: splitFile.path,
                                      detail: "split indices do not fit the \(labels.count) images of the data input")
        }
        let size = 3 * shape[2] * shape[3]
        return (shape, TrainingData(pixels: pixels, labels: labels, imageSize: size, indices: trainIndices),
                TrainingData(pixels: pixels, labels: labels, imageSize: size, indices: validationIndices))
    }

    /// Scalars to the index: results as metrics, wall times and the BLAS setup as measurements.
    static func report(_ state: TrainingState, plateauLoss: Double?, seconds: [Double], context: StageContext) {
        let best = state.epochs[state.bestEpoch - 1]
        context.metric("min_val_loss", best.validationLoss)
        context.metric("epoch_min", Double(state.bestEpoch))
        context.metric("val_accuracy_at_min", best.validationAccuracy)
        context.metric("train_loss_at_min", best.trainLoss)
        context.metric("epochs_run", Double(state.completedEpochs))
        context.metric("final_train_loss", state.epochs.last!.trainLoss)
        // Only runs with a plateau loss: 0 says it never went below it (the report excludes such runs).
        if let plateau = plateauLoss { context.metric("plateau_left_epoch", Double(state.plateauLeftEpoch(plateau) ?? 0)) }
        // NaN (no estimate, or |G|² ≤ 0 at that epoch) is no number for the index: the series has it.
        let bSimple = state.noise[state.bestEpoch - 1].bSimple
        if bSimple.isFinite { context.metric("b_simple_at_min", bSimple) }
        context.measure("seconds_total", seconds.reduce(0, +))
        context.measure("seconds_to_min", seconds.prefix(state.bestEpoch).reduce(0, +))
        context.measure("seconds_per_epoch", seconds.reduce(0, +) / Double(max(seconds.count, 1)))
        for (i, s) in seconds.enumerated() { context.measure("epoch_seconds[\(i + 1)]", s) }
        let blas = NumericEnvironment.blasInfo()
        context.measure("blas_threads", Double(blas.blasThreads))
        context.measure("network_threads", Double(context.threads))
        // The kernel name is text; a one-hot measurement keeps it visible in `show` until the
        // engine's measurements carry text.
        context.measure("blas_kernel=" + blas.kernels, 1)
    }
}
