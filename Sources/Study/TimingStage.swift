// `timing`: seconds per epoch measured under control, not overheard from training runs that share the
// cores. An exclusive stage (the executor runs it alone), a fixed thread count per rank, every batch
// size of the study trained side by side one epoch per round (rounds interleave the batch sizes, so a
// drift of the machine touches all alike and a round is a block for claim 2), a warm-up round first,
// then `repeats` timed rounds; with `workers: N > 1` the same loop runs data-parallel on N MPI ranks.
// Its object holds times: the declared exception to "every object is a function of its key".
import Distributed
import Foundation
import NN
import Pipeline
import StudyReport
import Tensor
import Training

public struct TimingStage: Stage {
    public static let kind = "timing"
    // Times the network's passes under this process's engine.
    public static let numerics = StageNumerics.kernels
    public static let codeVersion = 1
    public static let summary = "seconds per epoch per batch size, measured alone (exclusive), repeated: median, spread, machine, engine"
    public static let exclusive = true
    public static let measuresTime = true

    public struct Parameters: StageParameters {
        public var batchSizes = [32, 64, 128, 256]
        public var workers = 1
        public var threads = 1
        public var repeats = 10
        public var warmup = 1
        public var lr = 0.01
        public var seed = 1
        public var convWidths = [16, 32, 64]
        public var denseWidths = [128, 64]

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("batch_sizes", \.batchSizes, help: "the batch sizes timed (every one the report's timing figures show)",
                    range: .atLeast(1)),
             .field("workers", \.workers, help: "MPI ranks; > 1 times the data-parallel loop (F5)", range: .atLeast(1)),
             .field("threads", \.threads,
                    help: "threads per rank, fixed (not the executor's share): the training runs' own count under `make reproduce`",
                    range: .atLeast(1)),
             .field("repeats", \.repeats, help: "timed rounds (one epoch per batch size each)", range: .atLeast(2)),
             .field("warmup", \.warmup, help: "untimed rounds first (caches, page faults)", range: .atLeast(0)),
             .field("lr", \.lr, help: "learning rate of the timed SGD (does not change the work)", range: .greaterThan(0)),
             .field("seed", \.seed, help: "initial-weight and data-order seed"),
             .field("conv_widths", \.convWidths, help: "conv block widths (as train)", range: .atLeast(1)),
             .field("dense_widths", \.denseWidths, help: "dense layer widths (as train)", range: .atLeast(1))]
        }

        /// The model's widths as `train` reads them (TrainStage.loadData).
        var model: TrainStage.Parameters {
            var t = TrainStage.Parameters()
            t.convWidths = convWidths
            t.denseWidths = denseWidths
            return t
        }
    }

    public static let inputs = [InputSpec("data", help: "an image-set object"), InputSpec("split", help: "a split object")]
    public static let outputs = [OutputSpec("timing", .hdf5, help: "/batch_size, /seconds (B, rounds), median, quartiles, machine, engine")]

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        if p.workers > 1 { return try StageRanks.launch(context, kind: self, workers: p.workers) }
        let (model, train, validation) = try TrainStage.loadData(context, p.model)
        try measure(context, p, model: model, train: train, workers: 1, writes: true) { config in
            Trainer(model: model, config: config, train: train, validation: validation, threads: p.threads)
        }
    }

    /// The body of one MPI rank: the same rounds over the data-parallel gradient; rank 0 writes.
    static func runRank(_ context: StageContext, _ communicator: Communicator) throws {
        let p = try context.parameters(Parameters.self)
        let (model, train, validation) = try TrainStage.loadData(context, p.model)
        let threads = p.threads
        try measure(context, p, model: model, train: train, workers: communicator.size, writes: communicator.isRoot) { config in
            let parallel = DataParallelGradient(model: model, maxBatch: Trainer.evaluationBatch(config.batchSize), threads: threads,
                                                communicator: communicator)
            return Trainer(model: model, config: config, train: train, validation: validation, threads: threads,
                           gradient: parallel, evaluation: parallel)
        }
    }

    /// Warm-up and timed rounds; each round trains one epoch at every batch size, in the listed order.
    static func measure(_ context: StageContext, _ p: Parameters, model: Model, train: TrainingData, workers: Int, writes: Bool,
                        trainer makeTrainer: (TrainingConfig) -> Trainer) throws {
        let sizes = p.batchSizes, repeats = p.repeats, warmup = p.warmup
        guard Set(sizes).count == sizes.count, !sizes.isEmpty else {
            throw StudyError.badParameter(stage: context.instance, name: "batch_sizes", value: "\(sizes)",
                                          expected: "a non-empty list without repeats")
        }
        let seed = UInt64(truncatingIfNeeded: p.seed)
        let rounds = warmup + repeats
        let trainers = sizes.map { bs in
            makeTrainer(TrainingConfig(batchSize: bs, learningRate: Float(p.lr), initSeed: seed, shuffleSeed: seed,
                                       maxEpochs: rounds, patience: rounds, patienceUnit: .epochs))
        }
        var states = trainers.map { $0.initialState() }
        var seconds = [[Double]](repeating: [], count: sizes.count)
        var busyStart = Machine.busyCPUSeconds(), wallStart = Date()
        for round in 1...rounds {
            if round == warmup + 1 { (busyStart, wallStart) = (Machine.busyCPUSeconds(), Date()) }
            for (i, trainer) in trainers.enumerated() {
                let start = Date()
                trainer.runEpoch(&states[i])
                if round > warmup { seconds[i].append(Date().timeIntervalSince(start)) }
            }
            context.progress("round \(round)/\(rounds)" + (round <= warmup ? " (warm-up)" : ""))
            try context.stop.check(stage: context.instance, kept: "nothing: the measurement starts over")
        }
        let busyCores = (Machine.busyCPUSeconds() - busyStart) / Date().timeIntervalSince(wallStart)
        guard writes else { return }
        let table = TimingTable(batchSizes: sizes, seconds: seconds, workers: workers, threads: p.threads,
                                warmup: warmup, machine: Machine.cpuModel(), engine: NumericEnvironment.blasInfo().kernels,
                                trainCount: train.count, model: "\(model.spec)", busyCores: busyCores)
        try table.write(to: context.output("timing").path)
        for (i, bs) in sizes.enumerated() {
            context.measure("median_seconds_per_epoch[bs=\(bs)]", TimingTable.quartiles(seconds[i]).median)
        }
        context.measure("busy_cores", busyCores)
    }
}
