// `landscape`: the 2-D filter-normalised loss landscape around one run's minimizer θ_min (spec S8,
// Li et al. 2018) → one grid object. Resumes after a kill from the points already computed; wall
// times are measurements (index only), never content.
import Foundation
import Landscape
import NN
import Pipeline
import Store
import Tensor
import Training

public struct LandscapeStage: Stage {
    public static let kind = "landscape"
    // Runs the network: BLAS and the conv engine.
    public static let numerics = StageNumerics.kernels
    public static let codeVersion = 2  // 2: AVX-512 conv kernels (other bits)
    public static let summary = "training loss and accuracy on a grid θ_min + a·δ + b·η of filter-normalised random directions"

    /// `batch_size` and `lr` are required and must match the checkpoint (no "0 = any" as in
    /// `RunReference`): a grid is always of one named run.
    public struct Parameters: StageParameters {
        public var batchSize = 0
        public var lr = 0.0
        public var replicate = 1
        public var x = GridAxis()
        public var y = GridAxis()
        public var directionSeed = 1
        public var normalisation = DirectionNormalisation.filter
        public var subset = ImageSubset(size: 1000)
        public var workers = 1

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("batch_size", \.batchSize, help: "batch size of the run (must match the checkpoint; selects it in a fan-out)",
                    range: .atLeast(1), required: true),
             .field("lr", \.lr, help: "learning rate of the run (must match the checkpoint)", range: .greaterThan(0), required: true),
             .field(Replicates.parameter, \.replicate,
                    help: "replicate of the run (set by `replicates: N`; must match the checkpoint)", range: .atLeast(1)),
             .field("x_min", \.x.min, help: "first a"),
             .field("x_max", \.x.max, help: "last a"),
             .field("x_count", \.x.count, help: "number of a values", range: .atLeast(1)),
             .field("y_min", \.y.min, help: "first b"),
             .field("y_max", \.y.max, help: "last b"),
             .field("y_count", \.y.count, help: "number of b values", range: .atLeast(1)),
             .field("direction_seed", \.directionSeed, help: "seed of both directions (x, y seeds derived from it)"),
             .field("normalisation", \.normalisation, help: "filter or none"),
             .group(\.subset),
             .field("workers", \.workers, help: "MPI ranks; > 1 splits the points over ranks under mpirun (same bytes)",
                    range: .atLeast(1))]
        }
    }

    /// One axis of the grid: `count` evenly spaced values from `min` to `max`.
    public struct GridAxis: Sendable, Equatable {
        public var min = -1.0
        public var max = 1.0
        public var count = 21

        /// The values; throws (naming `<name>_max`) unless min < max (or a single point).
        func values(_ name: String, stage: String) throws -> [Double] {
            guard min.isFinite, max.isFinite, count == 1 || min < max else {
                throw StudyError.badParameter(stage: stage, name: "\(name)_max", value: "\(max)",
                                              expected: "a finite number above \(name)_min = \(min)")
            }
            return GridAxes.linspace(min, max, count: count)
        }
    }

    public static let inputs = [
        InputSpec("checkpoint", help: "a train checkpoint (θ_min and the model)"),
        InputSpec("data", help: "the image set the run trained on"),
        InputSpec("split", help: "its split (the training indices)"),
    ]
    public static let outputs = [OutputSpec("grid", .hdf5, help: "xcoordinates, ycoordinates, train_loss[i, j], train_acc[i, j], directions")]

    /// Seconds between resume-file writes (the last points before a kill are recomputed, nothing else).
    static let saveInterval = 2.0

    public static func run(_ context: StageContext) throws {
        let workers = try context.parameters(Parameters.self).workers
        if workers > 1 { return try StageRanks.launch(context, kind: self, workers: workers) }  // LandscapeRanks.swift
        let job = try LandscapeJob(context)
        let start = Date()
        var resumed = 0
        let results = try computeGrid(job, threads: context.threads, resume: context.resumeDirectory,
                                      resumedPoints: { resumed = $0
                                          if $0 > 0 { context.note("resumed from point \($0) of \(job.axes.pointCount)") }
                                      }, progress: context.progress,
                                      stop: { try context.stop.check(stage: context.instance, kept: $0) })
        try LandscapeFile.write(job, results, to: context.output("grid").path)
        let seconds = Date().timeIntervalSince(start)
        report(job, results, context: context)
        context.measure("seconds_total", seconds)
        context.measure("resumed_points", Double(resumed))
        context.measure("points_per_second", Double(job.axes.pointCount - resumed) / max(seconds, 1e-9))
        context.measure("network_threads", Double(context.threads))
        context.measure("workers", 1)
        context.measure("blas_kernel=" + NumericEnvironment.blasInfo().kernels, 1)
        if let dir = context.resumeDirectory { GridResume.remove(in: dir) }
    }

    /// Every pending point of the grid, resuming from `resume` when it holds a file of this grid and
    /// saving there every `saveInterval` seconds. `limit` stops after that many new points (what a
    /// killed run leaves behind; for tests).
    public static func computeGrid(_ job: LandscapeJob, threads: Int, resume: URL?, limit: Int? = nil,
                            resumedPoints: (Int) -> Void = { _ in },
                            progress: (String) -> Void = { _ in },
                            stop: (_ kept: String) throws -> Void = { _ in }) throws -> GridResults {
        let total = job.axes.pointCount
        var results = GridResults(pointCount: total)
        if let resume, let saved = try GridResume.load(in: resume, fingerprint: job.fingerprint, pointCount: total) {
            results.merge(saved)
        }
        resumedPoints(results.completed)
        var pending = results.pending
        if let limit { pending = Array(pending.prefix(limit)) }
        guard !pending.isEmpty else { return results }
        let evaluator = GridEvaluator(model: job.run.model, theta: job.run.thetaMin, dx: job.dx, dy: job.dy,
                                      data: job.data, threads: threads)
        let start = Date()
        var lastSave = start
        var computed = 0
        try evaluator.compute(pending, axes: job.axes, into: &results) { _, results in
            computed += 1
            let now = Date()
            progress(String(format: "point %d/%d %.1f points/s", results.completed, total,
                            Double(computed) / max(now.timeIntervalSince(start), 1e-9)))
            if let resume, now.timeIntervalSince(lastSave) >= saveInterval || computed == pending.count {
                try GridResume.save(results, fingerprint: job.fingerprint, in: resume)
                lastSave = now
            }
            // Every point is a safe point: save what is done, then stop if the run is interrupted.
            do { try stop("point \(results.completed) of \(total)") } catch {
                if let resume, lastSave != now { try GridResume.save(results, fingerprint: job.fingerprint, in: resume) }
                throw error
            }
        }
        return results
    }

    static func report(_ job: LandscapeJob, _ results: GridResults, context: StageContext) {
        context.metric("points", Double(job.axes.pointCount))
        context.metric("min_train_loss", results.loss.min() ?? .nan)
        context.metric("max_train_loss", results.loss.max() ?? .nan)
        if let i = job.axes.x.firstIndex(of: 0), let j = job.axes.y.firstIndex(of: 0) {
            let k = i * job.axes.y.count + j
            context.metric("train_loss_at_minimizer", results.loss[k])
            context.metric("train_acc_at_minimizer", results.accuracy[k])
        }
    }
}

/// Everything a grid needs, read and checked once: the run, the (subset of the) training set, the
/// two directions and the fingerprint that ties a resume file to this grid.
public struct LandscapeJob: Sendable {
    public var run: TrainedRun
    public var axes: GridAxes
    public var directionSeed: UInt64
    public var normalisation: DirectionNormalisation
    public var trainSubset: Int
    public var subsetSeed: UInt64
    public var trainCount: Int
    public var data: TrainingData
    public var dx: [Float]
    public var dy: [Float]

    public init(_ context: StageContext) throws {
        let stage = context.instance
        let p = try context.parameters(LandscapeStage.Parameters.self)
        normalisation = p.normalisation
        axes = GridAxes(x: try p.x.values("x", stage: stage), y: try p.y.values("y", stage: stage))
        trainSubset = p.subset.size
        directionSeed = UInt64(truncatingIfNeeded: p.directionSeed)
        subsetSeed = UInt64(truncatingIfNeeded: p.subset.seed)

        let checkpoint = context.input("checkpoint")
        run = try TrainedRun.load(checkpoint, stage: stage)
        // The checkpoint stores lr as the Float it trained with.
        guard run.batchSize == p.batchSize, Float(run.learningRate) == Float(p.lr), run.replicate == p.replicate else {
            throw StudyError.badInput(stage: stage, file: checkpoint.path, detail: "it is the run of batch size \(run.batchSize), "
                + "lr \(Float(run.learningRate)), replicate \(run.replicate), but the stage's parameters say \(p.batchSize), "
                + "\(p.lr), replicate \(p.replicate); wire the landscape to the matching train instance")
        }
        let (shape, train, _) = try TrainStage.loadSplitSets(context)
        let spec = run.model.spec
        guard Array(shape.dropFirst()) == [spec.channels, spec.height, spec.width] else {
            throw StudyError.badInput(stage: stage, file: context.input("data").path,
                                      detail: "images are \(shape.dropFirst().map(String.init).joined(separator: "×")), the model \(spec)")
        }
        trainCount = train.count
        data = p.subset.of(train)
        let seeds = Directions.seeds(directionSeed: directionSeed)
        dx = Directions.random(layout: run.model.layout, theta: run.thetaMin, seed: seeds.x, normalisation: normalisation)
        dy = Directions.random(layout: run.model.layout, theta: run.thetaMin, seed: seeds.y, normalisation: normalisation)
    }

    /// What the `data` attribute says.
    public var dataDescription: String {
        data.count == trainCount ? "training set" : "seeded subset of \(data.count) training images"
    }

    /// Ties a resume file to this grid (the resume folder is already private to the cache key; this
    /// also guards against a file left by another code version).
    public var fingerprint: String {
        "\(LandscapeStage.kind) v\(LandscapeStage.codeVersion) x \(axes.x) y \(axes.y) seed \(directionSeed) \(normalisation) "
            + "subset \(data.count)/\(trainCount) seed \(subsetSeed) model \(run.model.spec) batch \(GridEvaluator.batch)"
    }
}
