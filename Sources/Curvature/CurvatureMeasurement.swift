// Every curvature measure at one point with one set of settings: what a stage writes per minimizer
// and what the reparametrisation audit compares across α.

public struct CurvatureSettings: Hashable, Sendable {
    /// Lanczos steps for λ_max.
    public var lanczosSteps: Int
    /// Hutchinson's Rademacher samples for the trace.
    public var traceSamples: Int
    /// ρ of the adaptive box ρ|θ_i|.
    public var rho: Double
    /// ε of Keskar's box ε(|θ_i| + 1).
    public var epsilon: Double
    /// Sign-ascent steps and step (in half-widths) of the worst cases.
    public var ascentSteps: Int
    public var ascentStep: Double
    /// Uniform samples of the average case.
    public var averageSamples: Int
    public var seed: UInt64

    public init(lanczosSteps: Int = 20, traceSamples: Int = 20, rho: Double = 0.05, epsilon: Double = 1e-3, ascentSteps: Int = 10, ascentStep: Double = 0.25,
                averageSamples: Int = 20, seed: UInt64 = 1) {
        self.lanczosSteps = lanczosSteps
        self.traceSamples = traceSamples
        self.rho = rho
        self.epsilon = epsilon
        self.ascentSteps = ascentSteps
        self.ascentStep = ascentStep
        self.averageSamples = averageSamples
        self.seed = seed
    }
}

public struct CurvatureMeasurement: Sendable {
    public var loss: Double
    public var topEigenvalue: TopEigenvalue
    public var trace: TraceEstimate
    public var adaptiveWorst: WorstCase
    public var adaptiveAverage: AverageCase
    /// The worst case in Keskar's box by the same sign ascent (φ's numerator; the study's φ itself
    /// uses L-BFGS-B).
    public var keskarWorst: WorstCase
    /// Gradient evaluations spent (the cost).
    public var gradientEvaluations: Int

    /// Measures at θ. Seeds: Lanczos start `seed`, Hutchinson `seed + 1`, average case `seed + 2`.
    public init(loss: TrainingLoss, theta: [Float], settings s: CurvatureSettings) {
        let before = loss.gradientCount
        let hvp = ExactHessian(loss: loss, theta: theta)
        self.loss = loss.loss(at: theta)
        topEigenvalue = HessianSpectrum.topEigenvalue(hvp, steps: s.lanczosSteps, seed: s.seed)
        trace = HessianSpectrum.trace(hvp, samples: s.traceSamples, seed: s.seed &+ 1)
        let adaptive = PerturbationBox.adaptive(theta, rho: s.rho)
        adaptiveWorst = BoxSharpness.worstCase(loss, theta: theta, box: adaptive, steps: s.ascentSteps, eta: s.ascentStep)
        adaptiveAverage = BoxSharpness.averageCase(loss, theta: theta, box: adaptive, samples: s.averageSamples, seed: s.seed &+ 2)
        keskarWorst = BoxSharpness.worstCase(loss, theta: theta, box: .keskar(theta, epsilon: s.epsilon), steps: s.ascentSteps,
                                             eta: s.ascentStep)
        gradientEvaluations = loss.gradientCount - before
    }
}
