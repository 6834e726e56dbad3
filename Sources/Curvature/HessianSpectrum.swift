// What the Hessian's spectrum says at a point, from Hessian-vector products only, deterministic
// given a seed: λ_max by Lanczos, the trace by Hutchinson's estimator (Rademacher vectors), and a
// spectral density by stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017; PyHessian, Yao et
// al. 2020).
import Tensor

/// The largest (algebraic) eigenvalue, with Lanczos' residual bound and the HVPs it cost.
public struct TopEigenvalue: Sendable {
    public var value: Double
    /// Some eigenvalue of H lies within this of `value` (exact-arithmetic bound β_m·|s_m|).
    public var residual: Double
    public var steps: Int
    /// The same Lanczos run read as one stochastic-Lanczos-quadrature probe: a normalised Gaussian
    /// start v has E[v vᵀ] = I/P, so Σ_k w_k δ(λ − node_k) estimates the spectral density (one probe
    /// of `density`, at no extra HVP).
    public var probe: QuadratureProbe
}

/// Hutchinson's tr(H) ≈ (1/s) Σ z_jᵀ H z_j, z_j Rademacher: unbiased, with variance per sample
/// 2(‖H‖_F² − Σ H_ii²).
public struct TraceEstimate: Sendable {
    /// z_jᵀ H z_j per sample j.
    public var samples: [Double]
    public var mean: Double { samples.reduce(0, +) / Double(samples.count) }
    /// The sample standard deviation / √s (0 for one sample).
    public var standardError: Double {
        let s = Double(samples.count)
        guard samples.count > 1 else { return 0 }
        let m = mean
        return (samples.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (s - 1) / s).squareRoot()
    }
}

/// One stochastic-Lanczos-quadrature probe: nodes (Ritz values) and weights (s_{1,k}²) that sum to 1.
public struct QuadratureProbe: Sendable {
    public var nodes: [Double]
    public var weights: [Double]
}

public enum HessianSpectrum {
    /// λ_max by `steps` Lanczos steps from a seeded Gaussian start.
    public static func topEigenvalue(_ op: HessianOperator, steps: Int, seed: UInt64) -> TopEigenvalue {
        var generator = SeededGenerator(seed: seed)
        let start = (0..<op.dimension).map { _ in generator.nextGaussian() }
        let result = Lanczos.run(op, start: start, steps: steps)
        return TopEigenvalue(value: result.ritz.values[0], residual: result.residual(0), steps: result.steps,
                             probe: QuadratureProbe(nodes: result.ritz.values, weights: result.weights))
    }

    /// Hutchinson's estimator with `samples` Rademacher vectors from one seeded stream (P draws each,
    /// in parameter order).
    public static func trace(_ op: HessianOperator, samples: Int, seed: UInt64) -> TraceEstimate {
        precondition(samples >= 1, "Hutchinson needs at least one sample")
        var generator = SeededGenerator(seed: seed)
        return TraceEstimate(samples: (0..<samples).map { _ in
            let z = rademacher(op.dimension, &generator)
            return dot(z, op.apply(z))
        })
    }

    /// Stochastic Lanczos quadrature: `probes` Lanczos runs of `steps` steps from seeded Rademacher
    /// vectors. The density is (1/probes) Σ_probes Σ_k w_k δ(λ − node_k), mass 1 (the spectrum's
    /// eigenvalue distribution divided by P); P·Σ w_k·node_k of a probe is its Hutchinson sample.
    public static func density(_ op: HessianOperator, steps: Int, probes: Int, seed: UInt64) -> [QuadratureProbe] {
        var generator = SeededGenerator(seed: seed)
        return (0..<probes).map { _ in
            let result = Lanczos.run(op, start: rademacher(op.dimension, &generator), steps: steps)
            return QuadratureProbe(nodes: result.ritz.values, weights: result.weights)
        }
    }

    static func rademacher(_ n: Int, _ generator: inout SeededGenerator) -> [Double] {
        (0..<n).map { _ in generator.next() >> 63 == 0 ? -1.0 : 1.0 }
    }
}
