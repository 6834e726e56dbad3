// The line search of this L-BFGS-B along d = x̄ − x_k: backtracking to sufficient decrease (Armijo,
// safeguarded quadratic interpolation) from λ = 1, then, when λ = 1 was accepted but the slope is
// still steep (the curvature condition fails), expansion by 4× along the projection arc P(x + λd)
// while f keeps falling. The expansion matters on concave stretches (maximising a loss around its
// minimizer): there sᵀy < 0, no curvature pair is kept, B stays θI and the unit step is only as long
// as the gradient, while the maximum sits on the box's faces.

struct LineSearchOutcome {
    enum Status { case accepted, failed, outOfEvaluations }
    var status: Status
    var lambda: Double
    var f: Double
}

struct LineSearch {
    let lower: [Double], upper: [Double]
    let tolerances: LBFGSBTolerances
    static let sufficientDecrease = 1e-4, curvature = 0.9, expansion = 4.0

    /// Searches from (x, f, g) along `direction` (slope = gᵀd < 0). On success xTrial, gTrial hold the
    /// accepted point and its gradient; spareX, spareG are scratch of the same size (n).
    func run(x: [Double], f: Double, g: [Double], slope: Double, direction: [Double], xTrial: inout [Double], gTrial: inout [Double],
             spareX: inout [Double], spareG: inout [Double], evaluations: inout Int,
             evaluate: LBFGSB.Evaluate) rethrows -> LineSearchOutcome {
        var lambda = 1.0
        var steps = 0
        while true {
            guard steps < tolerances.maxLineSearchSteps else { return LineSearchOutcome(status: .failed, lambda: lambda, f: f) }
            guard evaluations < tolerances.maxEvaluations else { return LineSearchOutcome(status: .outOfEvaluations, lambda: lambda, f: f) }
            steps += 1
            let value = try trial(lambda, x: x, direction: direction, into: &xTrial, &gTrial, evaluations: &evaluations, evaluate: evaluate)
            if armijo(value, lambda, f: f, slope: slope) {
                if lambda == 1 {
                    return try expand(from: value, x: x, f: f, g: g, direction: direction, slope: slope, xTrial: &xTrial, gTrial: &gTrial,
                                      spareX: &spareX, spareG: &spareG, evaluations: &evaluations, evaluate: evaluate)
                }
                return LineSearchOutcome(status: .accepted, lambda: lambda, f: value)
            }
            // Minimiser of the quadratic through f, slope and the trial, kept in [0.1λ, 0.5λ].
            var next = 0.5 * lambda
            if value.isFinite {
                let q = -slope * lambda * lambda / (2 * (value - f - slope * lambda))
                if q.isFinite { next = min(max(q, 0.1 * lambda), 0.5 * lambda) }
            }
            lambda = next
        }
    }

    /// Longer steps from an accepted λ = 1 along the projection arc P(x + λd) while the slope along the
    /// arc stays steep and f keeps falling (Armijo measured on the projected step s = P(x + λd) − x).
    private func expand(from value: Double, x: [Double], f: Double, g: [Double], direction: [Double], slope: Double, xTrial: inout [Double],
                        gTrial: inout [Double], spareX: inout [Double], spareG: inout [Double], evaluations: inout Int,
                        evaluate: LBFGSB.Evaluate) rethrows -> LineSearchOutcome {
        let n = x.count
        var best = LineSearchOutcome(status: .accepted, lambda: 1, f: value)
        var steps = 1
        while steps < tolerances.maxLineSearchSteps, evaluations < tolerances.maxEvaluations, best.lambda < 1e10 {
            // Slope along the arc at the current point: only the variables not yet stopped by a bound move on.
            var derivative = 0.0, moving = false
            for i in 0..<n where direction[i] != 0 && xTrial[i] > lower[i] && xTrial[i] < upper[i] {
                derivative += gTrial[i] * direction[i]
                moving = true
            }
            if !moving || derivative >= Self.curvature * slope { break }   // nothing moves, or flat enough
            let lambda = Self.expansion * best.lambda
            steps += 1
            let candidate = try trial(lambda, x: x, direction: direction, into: &spareX, &spareG, evaluations: &evaluations,
                                      evaluate: evaluate)
            var decrease = 0.0
            for i in 0..<n { decrease += spareX[i] == x[i] ? 0 : (spareX[i] - x[i]) * g[i] }
            guard candidate < best.f, decrease < 0, candidate <= f + Self.sufficientDecrease * decrease else { break }
            swap(&xTrial, &spareX)
            swap(&gTrial, &spareG)
            best = LineSearchOutcome(status: .accepted, lambda: lambda, f: candidate)
        }
        return best
    }

    /// f at P(x + λd) (NaN when f or ∇f is not finite), its gradient in gt.
    private func trial(_ lambda: Double, x: [Double], direction: [Double], into xt: inout [Double], _ gt: inout [Double],
                       evaluations: inout Int, evaluate: LBFGSB.Evaluate) rethrows -> Double {
        for i in 0..<x.count { xt[i] = min(max(x[i] + lambda * direction[i], lower[i]), upper[i]) }
        evaluations += 1
        let value = try LBFGSB.call(evaluate, xt, &gt)
        return value.isFinite && gt.allSatisfy(\.isFinite) ? value : .nan
    }

    private func armijo(_ value: Double, _ lambda: Double, f: Double, slope: Double) -> Bool {
        value <= f + Self.sufficientDecrease * lambda * slope
    }
}
