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
    public static let codeVersion = 3  // 2: line search expands along the projection arc; Wolfe-filtered pairs; 3: AVX-512 conv kernels, vectorised pooling backward
    public static let summary = "Keskar's sharpness φ: max of the training loss over the box ε(|θ|+1) by L-BFGS-B"
    public static let parameters = [
        ParamSpec("epsilon", .list(.double), default: .list([.double(1e-3), .double(5e-4)]), help: "box sizes ε",
                  range: .greaterThan(0)),
        ParamSpec("iterations", .int, default: .int(10), help: "L-BFGS-B iterations per ε (Keskar: 10)", range: .atLeast(1)),
        // 10 pairs: the usual L-BFGS default (scipy's maxcor); with 10 iterations it keeps every pair.
        ParamSpec("memory", .int, default: .int(10), help: "L-BFGS memory (correction pairs)", range: .atLeast(1)),
        ParamSpec("train_subset", .int, default: .int(1000), help: "training images in f (0 = all), a seeded subset",
                  range: .atLeast(0)),
        ParamSpec("subset_seed", .int, default: .int(1), help: "seed of the training subset"),
        ParamSpec("start_seed", .int, default: .int(1), help: "seed of the random start inside the box"),
        // Only for matching a fan-out to its train instance; checked against the checkpoint when > 0.
        ParamSpec("batch_size", .int, default: .int(0), help: "the checkpoint's batch size (0 = any)", range: .atLeast(0)),
        ParamSpec(Replicates.parameter, .int, default: .int(1),
                  help: "the checkpoint's replicate (set by `replicates: N`; selects the train instance of the same replicate)",
                  range: .atLeast(1)),
        ParamSpec("lr", .double, default: .double(0), help: "the checkpoint's learning rate (0 = any)", range: .atLeast(0)),
    ]
    public static let inputs = [
        InputSpec("checkpoint", help: "a train checkpoint (its θ_min is x)"),
        InputSpec("data", help: "the image set the run was trained on"),
        InputSpec("split", help: "its split"),
    ]
    public static let outputs = [OutputSpec("sharpness", .hdf5, help: "φ, f(x), max f per ε and the optimiser traces")]

    public static func run(_ context: StageContext) throws {
        let stage = context.instance
        let epsilons = context.list("epsilon").map { $0.doubleValue! }
        guard !epsilons.isEmpty, epsilons.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw StudyError.badParameter(stage: stage, name: "epsilon", value: "\(epsilons)", expected: "a non-empty list of positive numbers")
        }
        for name in ["iterations", "memory"] where context.int(name) < 1 {
            throw StudyError.badParameter(stage: stage, name: name, value: "\(context.int(name))", expected: "a positive integer")
        }
        let subsetSize = context.int("train_subset")
        guard subsetSize >= 0 else {
            throw StudyError.badParameter(stage: stage, name: "train_subset", value: "\(subsetSize)", expected: "0 (all) or a positive count")
        }
        let run = try TrainedRun.load(context.input("checkpoint"), stage: stage)
        try requireMatches(run, context: context)
        let (shape, fullTrain, _) = try TrainStage.loadSplitSets(context)
        try run.requireFits(imageShape: shape, dataPath: context.input("data").path, stage: stage)
        let subsetSeed = context.int("subset_seed"), startSeed = context.int("start_seed")
        let train = fullTrain.subset(count: subsetSize, seed: UInt64(truncatingIfNeeded: subsetSeed))

        let network = Network(model: run.model, maxBatch: EvaluationBatch.networkBatch(count: train.count), threads: context.threads)
        let loss = DatasetLoss(network: network, data: train)
        let maxIterations = context.int("iterations"), memory = context.int("memory")
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

    /// When the pipeline names the run (batch_size, lr > 0), the checkpoint must be that run.
    static func requireMatches(_ run: TrainedRun, context: StageContext) throws {
        let batchSize = context.int("batch_size"), lr = context.double("lr"), replicate = context.int(Replicates.parameter)
        if replicate != run.replicate {
            throw StudyError.badInput(stage: context.instance, file: run.path,
                                      detail: "it is replicate \(run.replicate) but the stage is replicate \(replicate); "
                                          + "give the analysis the same `replicates:` as its train stage")
        }
        if batchSize > 0 && batchSize != run.batchSize || lr > 0 && Float(lr) != Float(run.learningRate) {
            throw StudyError.badInput(stage: context.instance, file: run.path,
                                      detail: "it is the run batch_size=\(run.batchSize), lr=\(run.learningRateAsWritten) but the stage "
                                          + "asks for batch_size=\(batchSize), lr=\(lr); check the checkpoint input's reference")
        }
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
