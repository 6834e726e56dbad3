// `hessian` (issue 14, section 2–3): the Hessian's top eigenvalue and trace and the adaptive
// sharpness around one run's minimizer → one `hessian` HDF5 object:
//   /f_x, /lambda_max, /lambda_residual, /trace, /trace_standard_error      float64 (1)
//   /trace_samples   float64 (trace_samples): z_jᵀ H z_j
//   /adaptive/worst, /adaptive/average, /adaptive/average_standard_error, /keskar_box/worst   float64 (1)
//   /adaptive/worst_losses, /keskar_box/worst_losses   float64 (ascent_steps + 1), row 0 at θ_min
//   /adaptive/average_losses   float64 (average_samples): (f(θ+δ) + f(θ−δ))/2 per antithetic pair
//   /spectrum/nodes, /spectrum/weights   float64 (lanczos_steps): λ_max's Lanczos run as one SLQ probe
//       (Ritz values, descending, and their Gauss weights, summing to 1): the spectral density (F21)
//   attributes on /: batch_size, lr, train_subset, subset_seed, rho, epsilon, seed, lanczos_steps,
//   trace_samples, hvp, ascent_rule, gradient_evaluations, replicate (only when > 1)
import Curvature
import Foundation
import Pipeline
import Store

public struct HessianStage: Stage {
    public static let kind = "hessian"
    // Hessian-vector products through the network: BLAS and the conv engine.
    public static let numerics = StageNumerics.kernels
    public static let codeVersion = 3  // 2: antithetic pairs in the average case; 3: /spectrum
    public static let summary = "λ_max (Lanczos), trace (Hutchinson) with exact HVPs, and adaptive sharpness (worst and average case) at θ_min"
    public typealias Parameters = CurvatureParameters
    public static let inputs = CurvatureParameters.inputs
    public static let outputs = [OutputSpec("hessian", .hdf5, help: "λ_max, trace, adaptive and Keskar-box sharpness with their samples")]

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let (run, loss) = try p.load(context)
        context.progress("measuring at θ_min over \(loss.count) training images")
        let m = CurvatureMeasurement(loss: loss, theta: run.thetaMin, settings: p.settings)
        let file = try HDF5File.create(context.output("hessian").path)
        func doubles(_ name: String, _ values: [Double]) throws { try file.write(name, HDF5Array(shape: [values.count], values: values)) }
        try doubles("/f_x", [m.loss])
        try doubles("/lambda_max", [m.topEigenvalue.value])
        try doubles("/lambda_residual", [m.topEigenvalue.residual])
        try doubles("/trace", [m.trace.mean])
        try doubles("/trace_standard_error", [m.trace.standardError])
        try doubles("/trace_samples", m.trace.samples)
        try doubles("/adaptive/worst", [m.adaptiveWorst.sharpness])
        try doubles("/adaptive/worst_losses", m.adaptiveWorst.losses)
        try doubles("/adaptive/average", [m.adaptiveAverage.sharpness])
        try doubles("/adaptive/average_standard_error", [m.adaptiveAverage.standardError])
        try doubles("/adaptive/average_losses", m.adaptiveAverage.losses)
        try doubles("/keskar_box/worst", [m.keskarWorst.sharpness])
        try doubles("/keskar_box/worst_losses", m.keskarWorst.losses)
        try doubles("/spectrum/nodes", m.topEigenvalue.probe.nodes)
        try doubles("/spectrum/weights", m.topEigenvalue.probe.weights)
        for (name, value) in p.attributes(run, loss) { try file.setAttribute(name, value) }
        try file.setAttribute("gradient_evaluations", .int(Int64(m.gradientEvaluations)))
        if run.replicate > 1 { try file.setAttribute("replicate", .int(Int64(run.replicate))) }  // replicate 1: as unreplicated
        try file.close()
        context.metric("f_x", m.loss)
        context.metric("lambda_max", m.topEigenvalue.value)
        context.metric("trace", m.trace.mean)
        context.metric("adaptive_worst", m.adaptiveWorst.sharpness)
        context.metric("adaptive_average", m.adaptiveAverage.sharpness)
        context.metric("keskar_box_worst", m.keskarWorst.sharpness)
    }
}
