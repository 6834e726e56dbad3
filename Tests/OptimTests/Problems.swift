// Test problems for L-BFGS-B with known box-constrained solutions, built from formulas (no RNG) so
// that scripts/reference/lbfgsb_fixture.py can rebuild the same ones in scipy.
import Foundation

/// f(x) = ½xᵀAx − bᵀx with A = tridiag(−1, 4, −1) (SPD): ∇f = Ax − b.
struct Quadratic {
    let n: Int
    let b: [Double]

    func times(_ x: [Double]) -> [Double] {
        (0..<n).map { i in 4 * x[i] - (i > 0 ? x[i - 1] : 0) - (i + 1 < n ? x[i + 1] : 0) }
    }

    /// The problem whose gradient at `point` is `gradient`: b = A·point − gradient.
    init(n: Int, point: [Double], gradient: [Double]) {
        self.n = n
        var b = [Double](repeating: 0, count: n)
        for i in 0..<n { b[i] = 4 * point[i] - (i > 0 ? point[i - 1] : 0) - (i + 1 < n ? point[i + 1] : 0) - gradient[i] }
        self.b = b
    }

    func evaluate(_ x: [Double]) -> (Double, [Double]) {
        let ax = times(x)
        var f = 0.0
        for i in 0..<n { f += 0.5 * x[i] * ax[i] - b[i] * x[i] }
        return (f, (0..<n).map { ax[$0] - b[$0] })
    }
}

/// Rosenbrock's banana, f = 100(x₂ − x₁²)² + (1 − x₁)².
func rosenbrock(_ x: [Double]) -> (Double, [Double]) {
    let t = x[1] - x[0] * x[0]
    return (100 * t * t + (1 - x[0]) * (1 - x[0]), [-400 * x[0] * t - 2 * (1 - x[0]), 200 * t])
}

/// Regularised logistic loss of the scipy fixture: 12 weights, 40 samples, box [−0.3, 0.3].
struct Logistic {
    let n = 12, samples = 40
    let a: [[Double]]
    let b: [Double]
    let ridge: Double

    init(ridge: Double = 0.05) {
        let n = 12
        a = (0..<40).map { (i: Int) -> [Double] in
            (0..<n).map { (j: Int) -> Double in sin(1.3 * Double(i) + 0.7 * Double(j) + 0.1 * Double(i * j)) }
        }
        b = (0..<40).map { (i: Int) -> Double in
            let d = Double(i)
            let score: Double = cos(1.7 * d) + 0.3 * sin(0.9 * d * d)
            return score > 0 ? 1 : -1
        }
        self.ridge = ridge
    }

    /// Σ log(1 + e^(−b·aᵀx)) + ridge·|x|².
    func evaluate(_ x: [Double]) -> (Double, [Double]) {
        var f = 0.0
        var g = x.map { 2 * ridge * $0 }
        for i in 0..<samples {
            var z = 0.0
            for j in 0..<n { z += a[i][j] * x[j] }
            z *= b[i]
            f += max(-z, 0) + log1p(exp(-abs(z)))
            let s = -b[i] / (1 + exp(z))
            for j in 0..<n { g[j] += s * a[i][j] }
        }
        for j in 0..<n { f += ridge * x[j] * x[j] }
        return (f, g)
    }
}

/// The L-BFGS-B distribution's driver1 problem, n = 25: f = 4·[¼(x₁ − 1)² + Σ (x_i − x_{i−1}²)²].
func chainedRosenbrock(_ x: [Double]) -> (Double, [Double]) {
    let n = x.count
    var f = 0.25 * (x[0] - 1) * (x[0] - 1)
    var g = [Double](repeating: 0, count: n)
    g[0] = 0.5 * (x[0] - 1)
    for i in 1..<n {
        let t = x[i] - x[i - 1] * x[i - 1]
        f += t * t
        g[i] += 2 * t
        g[i - 1] -= 4 * x[i - 1] * t
    }
    return (4 * f, g.map { 4 * $0 })
}

/// Plain projected-gradient steps x ← P(x − η∇f) for a fixed η: the baseline of spec S7.
func projectedGradientDescent(x0: [Double], lower: [Double], upper: [Double], step: Double, iterations: Int,
                              _ function: ([Double]) -> (Double, [Double])) -> Double {
    var x = x0
    var (f, g) = function(x)
    var best = f
    for _ in 0..<iterations {
        for i in x.indices { x[i] = min(max(x[i] - step * g[i], lower[i]), upper[i]) }
        (f, g) = function(x)
        best = min(best, f)
    }
    return best
}
