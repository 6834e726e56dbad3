// `reparametrisation` (issue 14, section 3; Dinh et al. 2017): rescale one layer's weights and bias
// by α and the next layer's weights by 1/α (the same function), then measure Keskar's φ (L-BFGS-B,
// as the sharpness stage), λ_max, the trace, adaptive and Keskar-box sharpness at each α → one
// `audit` HDF5 object, one row per α:
//   /alpha, /max_logit_change, /f_x, /phi, /lambda_max, /lambda_residual, /trace,
//   /trace_standard_error, /adaptive_worst, /adaptive_average, /keskar_box_worst   float64 (α count)
//   attributes on /: layer, next_layer, phi_epsilon, phi_iterations, and those of `hessian`
import Curvature
import Foundation
import Landscape
import NN
import Pipeline
import Store
import Training

public struct ReparametrisationStage: Stage {
    public static let kind = "reparametrisation"
    // Hessian-vector products through the network: BLAS and the conv engine.
    public static let numerics = StageNumerics.kernels
    public static let codeVersion = 2  // 2: antithetic pairs in the average case
    public static let summary = "Dinh et al.'s audit: rescale layer j by α and layer j+1 by 1/α; which sharpness measures move"

    public struct Parameters: StageParameters {
        public var curvature = CurvatureParameters()
        public var layer = "conv2"
        public var alphas = [0.25, 1, 4]
        public var phiEpsilon = 1e-3
        public var phiIterations = 10

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.group(\.curvature),
             .field("layer", \.layer, help: "the rescaled layer (conv1…, dense1…); the next layer gets 1/α"),
             .field("alphas", \.alphas, help: "the factors α", range: .greaterThan(0)),
             .field("phi_epsilon", \.phiEpsilon, help: "ε of Keskar's φ (L-BFGS-B, as the sharpness stage)", range: .greaterThan(0)),
             .field("phi_iterations", \.phiIterations, help: "L-BFGS-B iterations of φ", range: .atLeast(1))]
        }
    }

    public static let inputs = CurvatureParameters.inputs
    public static let outputs = [OutputSpec("audit", .hdf5, help: "every measure per α, with the largest change of a logit")]

    public static func run(_ context: StageContext) throws {
        let stage = context.instance
        let p = try context.parameters(Parameters.self)
        let settings = p.curvature.settings
        let (alphas, phiEpsilon, phiIterations) = (p.alphas, p.phiEpsilon, p.phiIterations)
        guard !alphas.isEmpty else {
            throw StudyError.badParameter(stage: stage, name: "alphas", value: "\(alphas)", expected: "a non-empty list of positive numbers")
        }
        let (run, loss) = try p.curvature.load(context)
        let layout = run.model.layout
        let names = (0..<(Reparametrisation.layerCount(layout) - 1)).map { Reparametrisation.layerName(layout, $0) }
        guard let layer = names.firstIndex(of: p.layer) else {
            throw StudyError.badParameter(stage: stage, name: "layer", value: p.layer,
                                          expected: "one of \(names.joined(separator: ", ")) (a layer with a next layer)")
        }
        var rows: [AuditRow] = [], phis: [Double] = []
        for (i, alpha) in alphas.enumerated() {
            context.progress(String(format: "α %g (%d/%d): curvature measures", alpha, i + 1, alphas.count))
            let row = ReparametrisationAudit.run(loss, theta: run.thetaMin, layer: layer, alphas: [Float(alpha)], settings: settings)[0]
            rows.append(row)
            context.progress(String(format: "α %g (%d/%d): Keskar's φ", alpha, i + 1, alphas.count))
            let scaled = Reparametrisation.rescale(run.thetaMin, layout: layout, layer: layer, alpha: Float(alpha))
            let phi = try KeskarSharpness.measure(x: scaled, loss: DatasetLoss(network: loss.network, data: loss.data), epsilons: [phiEpsilon],
                                                  iterations: phiIterations, memory: 10, startSeed: settings.seed)[0].phi
            phis.append(phi)
        }
        let file = try HDF5File.create(context.output("audit").path)
        func column(_ name: String, _ values: [Double]) throws { try file.write("/" + name, HDF5Array(shape: [values.count], values: values)) }
        let m = rows.map(\.measurement)
        try column("alpha", alphas)
        try column("max_logit_change", rows.map { Double($0.maxLogitChange) })
        try column("f_x", m.map(\.loss))
        try column("phi", phis)
        try column("lambda_max", m.map(\.topEigenvalue.value))
        try column("lambda_residual", m.map(\.topEigenvalue.residual))
        try column("trace", m.map(\.trace.mean))
        try column("trace_standard_error", m.map(\.trace.standardError))
        try column("adaptive_worst", m.map(\.adaptiveWorst.sharpness))
        try column("adaptive_average", m.map(\.adaptiveAverage.sharpness))
        try column("keskar_box_worst", m.map(\.keskarWorst.sharpness))
        for (name, value) in p.curvature.attributes(run, loss) { try file.setAttribute(name, value) }
        try file.setAttribute("layer", .string(names[layer]))
        try file.setAttribute("next_layer", .string(Reparametrisation.layerName(layout, layer + 1)))
        try file.setAttribute("phi_epsilon", .double(phiEpsilon))
        try file.setAttribute("phi_iterations", .int(Int64(phiIterations)))
        try file.close()
        for (alpha, (row, phi)) in zip(alphas, zip(rows, phis)) {
            let r = row.measurement
            context.metric("phi[alpha=\(alpha)]", phi)
            context.metric("lambda_max[alpha=\(alpha)]", r.topEigenvalue.value)
            context.metric("trace[alpha=\(alpha)]", r.trace.mean)
            context.metric("adaptive_worst[alpha=\(alpha)]", r.adaptiveWorst.sharpness)
            context.metric("adaptive_average[alpha=\(alpha)]", r.adaptiveAverage.sharpness)
            context.metric("max_logit_change[alpha=\(alpha)]", Double(row.maxLogitChange))
        }
    }
}
