// The parameters the `hessian` and `reparametrisation` stages share: the training subset the loss is
// taken over, the run they measure, and the curvature measures' settings (Curvature.CurvatureSettings).
import Curvature
import Landscape
import NN
import Pipeline
import Store
import Training

public struct CurvatureParameters: StageParameters {
    public var subset = ImageSubset(size: 1000)
    public var lanczosSteps = 20
    public var traceSamples = 20
    public var rho = 0.01
    public var epsilon = 1e-3
    public var ascentSteps = 10
    public var ascentStep = 0.25
    public var averageSamples = 20
    public var seed = 1
    public var run = RunReference()

    public init() {}

    public static var bindings: [ParamBinding<CurvatureParameters>] {
        [.group(\.subset),
         .field("lanczos_steps", \.lanczosSteps, help: "Lanczos steps (exact HVPs) for λ_max", range: .atLeast(1)),
         .field("trace_samples", \.traceSamples, help: "Hutchinson's Rademacher samples (exact HVPs) for the trace", range: .atLeast(1)),
         .field("rho", \.rho, help: "adaptive sharpness box |δ_i| ≤ ρ|θ_i|", range: .greaterThan(0)),
         .field("epsilon", \.epsilon, help: "Keskar's box |δ_i| ≤ ε(|θ_i| + 1) for the same sign ascent", range: .greaterThan(0)),
         .field("ascent_steps", \.ascentSteps, help: "projected sign-gradient ascent steps of the worst cases", range: .atLeast(1)),
         .field("ascent_step", \.ascentStep, help: "ascent step, in units of the box's half-width", range: .greaterThan(0)),
         .field("average_samples", \.averageSamples, help: "antithetic pairs (δ, −δ) of uniform samples of the average case",
                range: .atLeast(1)),
         .field("seed", \.seed, help: "seed of Lanczos' start (seed), Hutchinson (seed+1), the average case (seed+2)"),
         .group(\.run)]
    }

    static let inputs = [
        InputSpec("checkpoint", help: "a train checkpoint (its θ_min is measured)"),
        InputSpec("data", help: "the image set the run was trained on"),
        InputSpec("split", help: "its split"),
    ]

    /// The curvature measures' settings (counts ≥ 1 and sizes > 0 were checked when decoding).
    var settings: CurvatureSettings {
        CurvatureSettings(lanczosSteps: lanczosSteps, traceSamples: traceSamples, rho: rho, epsilon: epsilon, ascentSteps: ascentSteps,
                          ascentStep: ascentStep, averageSamples: averageSamples, seed: UInt64(truncatingIfNeeded: seed))
    }

    /// The run (checked against batch_size/lr/replicate) and the training loss over its seeded subset.
    func load(_ context: StageContext) throws -> (run: TrainedRun, loss: TrainingLoss) {
        let stage = context.instance
        let run = try TrainedRun.load(context.input("checkpoint"), stage: stage)
        try self.run.requireMatches(run, stage: stage)
        let (shape, fullTrain, _) = try TrainStage.loadSplitSets(context)
        try run.requireFits(imageShape: shape, dataPath: context.input("data").path, stage: stage)
        let train = subset.of(fullTrain)
        let network = Network(model: run.model, maxBatch: EvaluationBatch.networkBatch(count: train.count), threads: context.threads)
        return (run, TrainingLoss(network: network, data: train))
    }

    /// Attributes every curvature object carries.
    func attributes(_ run: TrainedRun, _ loss: TrainingLoss) -> [(String, HDF5AttributeValue)] {
        [("batch_size", .int(Int64(run.batchSize))), ("lr", .double(run.learningRateAsWritten)),
         ("train_subset", .int(Int64(loss.count))), ("subset_seed", .int(Int64(subset.seed))),
         ("rho", .double(rho)), ("epsilon", .double(epsilon)),
         ("seed", .int(Int64(seed))), ("lanczos_steps", .int(Int64(lanczosSteps))),
         ("trace_samples", .int(Int64(traceSamples))),
         ("hvp", .string("exact: Pearlmutter's R-operator through conv, ReLU, max-pool, dense and BCE (forward-over-backward), "
                         + "masks and pooling choices of theta, Float32 per batch, summed in float64")),
         ("ascent_rule", .string(BoxSharpness.ascentRule))]
    }
}
