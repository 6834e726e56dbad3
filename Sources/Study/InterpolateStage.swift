// `interpolate` (spec S6, F9): training and validation loss and accuracy along the line through the
// minimizers of two runs, θ(α) = α·θ_large + (1−α)·θ_small → one `curve` HDF5 object:
//   /alpha, /train_loss, /train_accuracy, /val_loss, /val_accuracy   float64 (n)
//   attributes on /: small_batch_size, small_lr, large_batch_size, large_lr, train_subset, subset_seed
import Foundation
import Landscape
import NN
import Pipeline
import Store
import Training

public struct InterpolateStage: Stage {
    public static let kind = "interpolate"
    // Runs the network: BLAS and the conv engine.
    public static let numerics = StageNumerics.kernels
    public static let codeVersion = 2  // 2: AVX-512 conv kernels (other bits)
    public static let summary = "loss and accuracy along α·θ_large + (1−α)·θ_small (Keskar's 1-D plot)"

    public struct Parameters: StageParameters {
        public var replicate = 1
        public var alphaMin = -1.0
        public var alphaMax = 2.0
        public var count = 31
        public var subset = ImageSubset(size: 0)

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field(Replicates.parameter, \.replicate,
                    help: "replicate (set by `replicates: N`; routes `train@…` references to the same replicate's runs)",
                    range: .atLeast(1)),
             .field("alpha_min", \.alphaMin, help: "first α"),
             .field("alpha_max", \.alphaMax, help: "last α"),
             .field("count", \.count, help: "number of α values (≥ 2), evenly spaced", range: .atLeast(2)),
             .group(\.subset)]
        }
    }

    public static let inputs = [
        InputSpec("small", help: "train checkpoint at α = 0 (the small-batch minimizer)"),
        InputSpec("large", help: "train checkpoint at α = 1 (the large-batch minimizer)"),
        InputSpec("data", help: "the image set the runs were trained on"),
        InputSpec("split", help: "its split"),
    ]
    public static let outputs = [OutputSpec("curve", .hdf5, help: "α and train/validation loss and accuracy")]

    public static func run(_ context: StageContext) throws {
        let stage = context.instance
        let p = try context.parameters(Parameters.self)
        let (count, lo, hi) = (p.count, p.alphaMin, p.alphaMax)
        guard lo.isFinite, hi.isFinite, lo < hi else {
            throw StudyError.badParameter(stage: stage, name: "alpha_max", value: "\(hi)", expected: "a finite number above alpha_min = \(lo)")
        }
        let small = try TrainedRun.load(context.input("small"), stage: stage)
        let large = try TrainedRun.load(context.input("large"), stage: stage)
        try small.requireSameModel(as: large, stage: stage)
        let (shape, fullTrain, validation) = try TrainStage.loadSplitSets(context)
        try small.requireFits(imageShape: shape, dataPath: context.input("data").path, stage: stage)
        let train = p.subset.of(fullTrain)

        let alphas = LinearInterpolation.grid(min: lo, max: hi, count: count)
        let network = Network(model: small.model, maxBatch: EvaluationBatch.analysis, threads: context.threads)
        let curve = try LinearInterpolation.evaluate(small: small.thetaMin, large: large.thetaMin, alphas: alphas, train: train,
                                                     validation: validation, network: network) { k, t, v in
            context.progress(String(format: "α %d/%d = %.2f train %.4f val %.4f", k + 1, count, alphas[k], t.meanLoss, v.meanLoss))
        }
        try write(curve, small: small, large: large, trainCount: train.count, subsetSeed: p.subset.seed,
                  to: context.output("curve").path)
        if let k0 = alphas.firstIndex(of: 0), let k1 = alphas.firstIndex(of: 1) {
            context.metric("train_loss[alpha=0]", curve.train[k0].meanLoss)
            context.metric("train_loss[alpha=1]", curve.train[k1].meanLoss)
        }
        context.metric("max_train_loss", curve.train.map(\.meanLoss).max()!)
    }

    static func write(_ curve: InterpolationCurve, small: TrainedRun, large: TrainedRun, trainCount: Int, subsetSeed: Int,
                      to path: String) throws {
        let file = try HDF5File.create(path)
        let n = curve.alpha.count
        try file.write("/alpha", HDF5Array(shape: [n], values: curve.alpha))
        try file.write("/train_loss", HDF5Array(shape: [n], values: curve.train.map(\.meanLoss)))
        try file.write("/train_accuracy", HDF5Array(shape: [n], values: curve.train.map(\.accuracy)))
        try file.write("/val_loss", HDF5Array(shape: [n], values: curve.validation.map(\.meanLoss)))
        try file.write("/val_accuracy", HDF5Array(shape: [n], values: curve.validation.map(\.accuracy)))
        try file.setAttribute("small_batch_size", .int(Int64(small.batchSize)))
        try file.setAttribute("small_lr", .double(small.learningRateAsWritten))
        try file.setAttribute("large_batch_size", .int(Int64(large.batchSize)))
        try file.setAttribute("large_lr", .double(large.learningRateAsWritten))
        try file.setAttribute("train_subset", .int(Int64(trainCount)))
        try file.setAttribute("subset_seed", .int(Int64(subsetSeed)))
        try file.close()
    }
}
