// `sharpness` (spec S7, F10, F15): Keskar's φ at each ε around one run's minimizer → one `sharpness`
// HDF5 object:
//   /epsilon, /phi, /f_x, /f_max   float64 (k)      /iterations, /evaluations   int64 (k)
//   /trace/<i>/f, /trace/<i>/projected_gradient, /trace/<i>/step   float64 (iterations_i + 1), row 0 = start
//   /trace/<i>/evaluations   int64 (iterations_i + 1), cumulative; attributes epsilon, stop_reason
//   attributes on /: batch_size, lr, train_subset, subset_seed, start_rule, start_seed, optimizer, iterations_max
import Foundation
import Landscape
import NN
import Optim
import Pipeline
import Store
import Training

public struct SharpnessStage: Stage {
    public static let kind = "sharpness"
    // Runs the network: BLAS and the conv engine.
    public static let numerics = StageNumerics.kernels
    public static let codeVersion = 3  // 2: line search expands along the projection arc; Wolfe-filtered pairs; 3: AVX-512 conv kernels, vectorised pooling backward
    public static let summary = "Keskar's sharpness φ: max of the training loss over the box ε(|θ|+1) by L-BFGS-B"

    public struct Parameters: StageParameters {
        public var epsilon = [1e-3, 5e-4]
        public var iterations = 10
        // 10 pairs: the usual L-BFGS default (scipy's maxcor); with 10 iterations it keeps every pair.
        public var memory = 10
        public var subset = ImageSubset(size: 1000)
        public var startSeed = 1
        public var run = RunReference()

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("epsilon", \.epsilon, help: "box sizes ε", range: .greaterThan(0)),
             .field("iterations", \.iterations, help: "L-BFGS-B iterations per ε (Keskar: 10)", range: .atLeast(1)),
             .field("memory", \.memory, help: "L-BFGS memory (correction pairs)", range: .atLeast(1)),
             .group(\.subset),
             .field("start_seed", \.startSeed, help: "seed of the random start inside the box"),
             .group(\.run)]
        }
    }

    public static let inputs = [
        InputSpec("checkpoint", help: "a train checkpoint (its θ_min is x)"),
        InputSpec("data", help: "the image set the run was trained on"),
        InputSpec("split", help: "its split"),
    ]
    public static let outputs = [OutputSpec("sharpness", .hdf5, help: "φ, f(x), max f per ε and the optimiser traces")]

    public static func run(_ context: StageContext) throws {
        let stage = context.instance
        let p = try context.parameters(Parameters.self)
        let epsilons = p.epsilon
        guard !epsilons.isEmpty else {
            throw StudyError.badParameter(stage: stage, name: "epsilon", value: "\(epsilons)", expected: "a non-empty list of positive numbers")
        }
        let run = try TrainedRun.load(context.input("checkpoint"), stage: stage)
        try p.run.requireMatches(run, stage: stage)
        let (shape, fullTrain, _) = try TrainStage.loadSplitSets(context)
        try run.requireFits(imageShape: shape, dataPath: context.input("data").path, stage: stage)
        let train = p.subset.of(fullTrain)

        let network = Network(model: run.model, maxBatch: EvaluationBatch.networkBatch(count: train.count), threads: context.threads)
        let loss = DatasetLoss(network: network, data: train)
        let (maxIterations, memory, subsetSeed, startSeed) = (p.iterations, p.memory, p.subset.seed, p.startSeed)
        let results = try KeskarSharpness.measure(x: run.thetaMin, loss: loss, epsilons: epsilons, iterations: maxIterations,
                                                  memory: memory, startSeed: UInt64(truncatingIfNeeded: startSeed)) { i, calls, f in
            context.progress(String(format: "ε %g (%d/%d): evaluation %d, f %.5f", epsilons[i], i + 1, epsilons.count, calls, f))
        }
        let attributes: [(String, HDF5AttributeValue)] = [
            ("batch_size", .int(Int64(run.batchSize))), ("lr", .double(run.learningRateAsWritten)),
            ("train_subset", .int(Int64(train.count))), ("subset_seed", .int(Int64(subsetSeed))),
            ("start_rule", .string(KeskarSharpness.startRule)), ("start_seed", .int(Int64(startSeed))),
            ("optimizer", .string("L-BFGS-B (Byrd-Lu-Nocedal-Zhu: generalised Cauchy point + subspace minimisation, "
                                  + "Armijo backtracking/expanding line search, Wolfe-filtered pairs), memory \(memory), maximising f as min -f")),
            ("iterations_max", .int(Int64(maxIterations))),
        ]
        let replicate: [(String, HDF5AttributeValue)] = run.replicate > 1 ? [("replicate", .int(Int64(run.replicate)))] : []
        try write(results, attributes: attributes + replicate, to: context.output("sharpness").path)
        for r in results {
            context.metric("phi[eps=\(r.epsilon)]", r.phi)
            context.metric("f_max[eps=\(r.epsilon)]", r.fMax)
        }
        context.metric("f_x", results[0].fX)
    }

    static func write(_ results: [SharpnessMeasurement], attributes: [(String, HDF5AttributeValue)], to path: String) throws {
        let file = try HDF5File.create(path)
        func doubles(_ name: String, _ values: [Double]) throws { try file.write(name, HDF5Array(shape: [values.count], values: values)) }
        func ints(_ name: String, _ values: [Int]) throws {
            try file.write(name, HDF5Array(shape: [values.count], values: values.map { Int64($0) }))
        }
        try doubles("/epsilon", results.map(\.epsilon))
        try doubles("/phi", results.map(\.phi))
        try doubles("/f_x", results.map(\.fX))
        try doubles("/f_max", results.map(\.fMax))
        try ints("/iterations", results.map(\.iterations))
        try ints("/evaluations", results.map(\.evaluations))
        for (i, r) in results.enumerated() {
            try doubles("/trace/\(i)/f", r.trace.map(\.f))
            try doubles("/trace/\(i)/projected_gradient", r.trace.map(\.projectedGradientNorm))
            try doubles("/trace/\(i)/step", r.trace.map(\.step))
            try ints("/trace/\(i)/evaluations", r.trace.map(\.evaluations))
            try file.setAttribute("epsilon", .double(r.epsilon), at: "/trace/\(i)")
            try file.setAttribute("stop_reason", .string(r.stopReason.rawValue), at: "/trace/\(i)")
        }
        for (name, value) in attributes { try file.setAttribute(name, value) }
        try file.close()
    }
}
