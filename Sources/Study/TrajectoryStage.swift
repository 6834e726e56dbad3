// `trajectory`: the PCA of one run's θ snapshots (θ_e − θ_final, Li et al. 2018 section 7) and the
// training loss on a grid θ_final + a·d₁ + b·d₂ over the projected path's range (issue 14 §4, F20).
// Object layout: StudyReport/TrajectoryFile.swift.
import Foundation
import Landscape
import NN
import Pipeline
import Store
import StudyReport
import Training

public struct TrajectoryStage: Stage {
    public static let kind = "trajectory"
    // PCA in Double loops (a Gram matrix and a Jacobi eigensolver): no BLAS.
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 1
    public static let summary = "PCA of θ_e − θ_final over a run's snapshots, the projected path and the loss on the top-2 PCA plane"
    public struct Parameters: StageParameters {
        public var batchSize = 0
        public var lr = 0.0
        public var replicate = 1
        public var count = 17
        public var margin = 0.25
        public var trainSubset = 1000
        public var subsetSeed = 1

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("batch_size", \.batchSize, help: "batch size of the run (must match the checkpoint; selects it in a fan-out)",
                    range: .atLeast(1), required: true),
             .field("lr", \.lr, help: "learning rate of the run (must match the checkpoint)", range: .greaterThan(0), required: true),
             .field(Replicates.parameter, \.replicate, help: "replicate of the run (set by `replicates: N`; must match the checkpoint)",
                    range: .atLeast(1)),
             .field("count", \.count, help: "grid points per axis", range: .atLeast(2)),
             .field("margin", \.margin, help: "grid range beyond the path, as a fraction of its extent per axis", range: .atLeast(0)),
             .field("train_subset", \.trainSubset, help: "training images per grid point (0 = all)", range: .atLeast(0)),
             .field("subset_seed", \.subsetSeed, help: "seed of the training subset")]
        }
    }
    public static let inputs = [
        InputSpec("checkpoint", help: "a train checkpoint with θ snapshots (train's `snapshots` > 0)"),
        InputSpec("data", help: "the image set the run trained on"),
        InputSpec("split", help: "its split (the training indices)"),
    ]
    public static let outputs = [OutputSpec("trajectory", .hdf5, help: "PCA directions and explained variance, the projected path, the loss grid")]

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let stage = context.instance, checkpoint = context.input("checkpoint")
        let run = try TrainedRun.load(checkpoint, stage: stage)
        guard run.batchSize == p.batchSize, Float(run.learningRate) == Float(p.lr), run.replicate == p.replicate else {
            throw StudyError.badInput(stage: stage, file: checkpoint.path, detail: "it is the run of batch size \(run.batchSize), "
                + "lr \(Float(run.learningRate)), replicate \(run.replicate), not the stage's; wire the matching train instance")
        }
        let file = try HDF5File.open(checkpoint.path)
        let snapshots = try TrainingCheckpoint.readSnapshots(file)
        guard case .int(let finalEpoch) = try file.attribute("epochs_run") else {
            throw StudyError.badInput(stage: stage, file: checkpoint.path, detail: "attribute epochs_run is missing")
        }
        try file.close()
        let pca: TrajectoryPCA
        do { pca = try TrajectoryPCA(points: [run.thetaInit] + snapshots.thetas, final: run.thetaFinal) } catch {
            throw StudyError.badInput(stage: stage, file: checkpoint.path, detail: "\(error)")
        }
        let path = (epochs: [0] + snapshots.epochs + [Int(finalEpoch)], x: pca.x + [0], y: pca.y + [0])
        let count = p.count, margin = p.margin
        func axis(_ v: [Double]) -> [Double] {
            let lo = v.min()!, hi = v.max()!, pad = margin * max(hi - lo, 1e-6)
            return GridAxes.linspace(lo - pad, hi + pad, count: count)
        }
        let axes = GridAxes(x: axis(path.x), y: axis(path.y))
        let (shape, train, _) = try TrainStage.loadSplitSets(context)
        try run.requireFits(imageShape: shape, dataPath: context.input("data").path, stage: stage)
        let data = train.subset(count: p.trainSubset, seed: UInt64(truncatingIfNeeded: p.subsetSeed))
        let evaluator = GridEvaluator(model: run.model, theta: run.thetaFinal, dx: pca.directions[0], dy: pca.directions[1],
                                      data: data, threads: context.threads)
        var results = GridResults(pointCount: axes.pointCount)
        try evaluator.compute(Array(0..<axes.pointCount), axes: axes, into: &results) { k, _ in
            if (k + 1) % 20 == 0 { context.progress("point \(k + 1)/\(axes.pointCount)") }
            try context.stop.check(stage: stage, kept: "nothing (a trajectory grid is recomputed)")
        }
        try TrajectoryTable(batchSize: run.batchSize, learningRate: run.learningRate, replicate: run.replicate,
                            finalEpoch: Int(finalEpoch), trainCount: train.count, subsetCount: data.count,
                            directions: pca.directions, explained: pca.explained, epochs: path.epochs, x: path.x, y: path.y,
                            gridX: axes.x, gridY: axes.y, trainLoss: results.loss, trainAccuracy: results.accuracy)
            .write(to: context.output("trajectory").path)
        context.metric("explained_1", pca.explained[0])
        context.metric("explained_2", pca.explained[1])
        context.metric("snapshots", Double(snapshots.count))
    }
}
