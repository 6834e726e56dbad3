// The parameters the `hessian` and `reparametrisation` stages share: the training subset the loss is
// taken over and the curvature measures' settings (Curvature.CurvatureSettings), read and checked once.
import Curvature
import Landscape
import NN
import Pipeline
import Store
import Training

enum CurvatureParameters {
    static let specs = [
        ParamSpec("train_subset", .int, default: .int(1000), help: "training images in f (0 = all), a seeded subset"),
        ParamSpec("subset_seed", .int, default: .int(1), help: "seed of the training subset"),
        ParamSpec("lanczos_steps", .int, default: .int(20), help: "Lanczos steps (exact HVPs) for λ_max"),
        ParamSpec("trace_samples", .int, default: .int(20), help: "Hutchinson's Rademacher samples (exact HVPs) for the trace"),
        ParamSpec("rho", .double, default: .double(0.01), help: "adaptive sharpness box |δ_i| ≤ ρ|θ_i|"),
        ParamSpec("epsilon", .double, default: .double(1e-3), help: "Keskar's box |δ_i| ≤ ε(|θ_i| + 1) for the same sign ascent"),
        ParamSpec("ascent_steps", .int, default: .int(10), help: "projected sign-gradient ascent steps of the worst cases"),
        ParamSpec("ascent_step", .double, default: .double(0.25), help: "ascent step, in units of the box's half-width"),
        ParamSpec("average_samples", .int, default: .int(20), help: "antithetic pairs (δ, −δ) of uniform samples of the average case"),
        ParamSpec("seed", .int, default: .int(1), help: "seed of Lanczos' start (seed), Hutchinson (seed+1), the average case (seed+2)"),
        // Only for matching a fan-out to its train instance; checked against the checkpoint when > 0.
        ParamSpec("batch_size", .int, default: .int(0), help: "the checkpoint's batch size (0 = any)"),
        ParamSpec("lr", .double, default: .double(0), help: "the checkpoint's learning rate (0 = any)"),
        ParamSpec(Replicates.parameter, .int, default: .int(1),
                  help: "the checkpoint's replicate (set by `replicates: N`; selects the train instance of the same replicate)"),
    ]

    static let inputs = [
        InputSpec("checkpoint", help: "a train checkpoint (its θ_min is measured)"),
        InputSpec("data", help: "the image set the run was trained on"),
        InputSpec("split", help: "its split"),
    ]

    /// The settings, with every count ≥ 1 and every size > 0 (else a badParameter error naming the stage).
    static func settings(_ context: StageContext) throws -> CurvatureSettings {
        for name in ["lanczos_steps", "trace_samples", "ascent_steps", "average_samples"] where context.int(name) < 1 {
            throw StudyError.badParameter(stage: context.instance, name: name, value: "\(context.int(name))", expected: "a positive integer")
        }
        for name in ["rho", "epsilon", "ascent_step"] where !(context.double(name) > 0 && context.double(name).isFinite) {
            throw StudyError.badParameter(stage: context.instance, name: name, value: "\(context.double(name))", expected: "a positive number")
        }
        return CurvatureSettings(lanczosSteps: context.int("lanczos_steps"), traceSamples: context.int("trace_samples"),
                                 rho: context.double("rho"), epsilon: context.double("epsilon"), ascentSteps: context.int("ascent_steps"),
                                 ascentStep: context.double("ascent_step"), averageSamples: context.int("average_samples"),
                                 seed: UInt64(truncatingIfNeeded: context.int("seed")))
    }

    /// The run (checked against batch_size/lr) and the training loss over its seeded subset.
    static func load(_ context: StageContext) throws -> (run: TrainedRun, loss: TrainingLoss) {
        let stage = context.instance
        let subsetSize = context.int("train_subset")
        guard subsetSize >= 0 else {
            throw StudyError.badParameter(stage: stage, name: "train_subset", value: "\(subsetSize)", expected: "0 (all) or a positive count")
        }
        let run = try TrainedRun.load(context.input("checkpoint"), stage: stage)
        try SharpnessStage.requireMatches(run, context: context)
        let (shape, fullTrain, _) = try TrainStage.loadSplitSets(context)
        try run.requireFits(imageShape: shape, dataPath: context.input("data").path, stage: stage)
        let train = fullTrain.subset(count: subsetSize, seed: UInt64(truncatingIfNeeded: context.int("subset_seed")))
        let network = Network(model: run.model, maxBatch: EvaluationBatch.networkBatch(count: train.count), threads: context.threads)
        return (run, TrainingLoss(network: network, data: train))
    }

    /// Attributes every curvature object carries.
    static func attributes(_ run: TrainedRun, _ loss: TrainingLoss, _ context: StageContext) -> [(String, HDF5AttributeValue)] {
        [("batch_size", .int(Int64(run.batchSize))), ("lr", .double(run.learningRateAsWritten)),
         ("train_subset", .int(Int64(loss.count))), ("subset_seed", .int(Int64(context.int("subset_seed")))),
         ("rho", .double(context.double("rho"))), ("epsilon", .double(context.double("epsilon"))),
         ("seed", .int(Int64(context.int("seed")))), ("lanczos_steps", .int(Int64(context.int("lanczos_steps")))),
         ("trace_samples", .int(Int64(context.int("trace_samples")))),
         ("hvp", .string("exact: Pearlmutter's R-operator through conv, ReLU, max-pool, dense and BCE (forward-over-backward), "
                         + "masks and pooling choices of theta, Float32 per batch, summed in float64")),
         ("ascent_rule", .string(BoxSharpness.ascentRule))]
    }
}
