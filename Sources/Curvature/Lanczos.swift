// Lanczos' method on a symmetric operator: m steps from a start vector build an orthonormal basis
// Q_m of the Krylov space and the tridiagonal T_m = Q_mᵀ H Q_m, whose eigenvalues (Ritz values)
// converge first at the ends of the spectrum. Full reorthogonalisation (Gram–Schmidt twice against
// every earlier basis vector) keeps Q_m orthonormal despite rounding and the finite-difference
// HVP's noise; m is tens, so storing Q_m (m × P doubles) is cheap.

public struct LanczosResult: Sendable {
    /// T_m's diagonal (m) and off-diagonal (m − 1); m may be less than asked when the Krylov space
    /// is exhausted (an invariant subspace was found).
    public var alpha: [Double], beta: [Double]
    /// The residual norm after the last step, β_m: ‖H q_m − α_m q_m − β_{m−1} q_{m−1}‖.
    public var lastBeta: Double
    /// Eigen-decomposition of T_m, values descending.
    public var ritz: SymmetricEigen
    public var steps: Int { alpha.count }

    /// Ritz value k's residual bound: some eigenvalue of H lies within β_m·|s_{m,k}| of it
    /// (s_k the eigenvector of T_m; exact arithmetic, Parlett ch. 13).
    public func residual(_ k: Int) -> Double { lastBeta * abs(ritz.vectors[k][steps - 1]) }

    /// Gauss quadrature weights of the spectral measure seen from the start vector: s_{1,k}².
    public var weights: [Double] { ritz.vectors.map { $0[0] * $0[0] } }
}

public enum Lanczos {
    /// `steps` Lanczos steps from `start` (any non-zero vector; it is normalised).
    public static func run(_ op: HessianOperator, start: [Double], steps: Int) -> LanczosResult {
        precondition(start.count == op.dimension && steps >= 1, "Lanczos: start of \(start.count) for \(op.dimension), \(steps) steps")
        let n = op.dimension
        var basis: [[Double]] = []
        var alpha: [Double] = [], beta: [Double] = []
        var q = start
        let startNorm = norm(q)
        precondition(startNorm > 0, "Lanczos: zero start vector")
        for i in q.indices { q[i] /= startNorm }
        var lastBeta = 0.0
        for step in 0..<min(steps, n) {
            basis.append(q)
            var w = op.apply(q)
            let a = dot(w, q)
            alpha.append(a)
            for _ in 0..<2 {  // Gram–Schmidt twice against the whole basis
                for b in basis {
                    let c = dot(w, b)
                    for i in w.indices { w[i] -= c * b[i] }
                }
            }
            lastBeta = norm(w)
            // An invariant subspace: T_m's eigenvalues are exact eigenvalues of H.
            let scale = max(alpha.map(abs).max()!, beta.max() ?? 0)
            if step == min(steps, n) - 1 || lastBeta <= 1e-12 * max(scale, 1e-300) { break }
            beta.append(lastBeta)
            for i in w.indices { w[i] /= lastBeta }
            q = w
        }
        let m = alpha.count
        var t = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            t[i * m + i] = alpha[i]
            if i + 1 < m { t[i * m + i + 1] = beta[i]; t[(i + 1) * m + i] = beta[i] }
        }
        return LanczosResult(alpha: alpha, beta: beta, lastBeta: lastBeta, ritz: SymmetricEigen(t, n: m))
    }
}
