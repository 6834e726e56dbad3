// McCandlish et al.'s model of steps against batch size, S(B) = S_min·(1 + B_noise/B) (2018, eq. 2.11
// with B_crit ≈ B_noise): perfect scaling (S ∝ 1/B) for B ≪ B_noise, no gain for B ≫ B_noise, and the
// knee at B = B_noise, where twice the minimum number of steps are needed. Fitted to measured steps.
import Foundation

public struct StepsModel: Equatable, Sendable {
    /// The fewest steps any batch size could take (B → ∞).
    public var minimumSteps: Double
    /// The critical batch size: S(B_noise) = 2·S_min.
    public var criticalBatch: Double
    /// Root mean square of the fit's residuals in natural log.
    public var logResidual: Double
    /// True when the best B_noise sits at the edge of the searched range (the data cannot place it).
    public var atBoundary: Bool

    public func steps(at batchSize: Double) -> Double { minimumSteps * (1 + criticalBatch / batchSize) }
}

public enum ScalingFit {
    /// Least squares in log steps (the figure's log-log axes): for each B_noise the best log S_min is
    /// the mean of log S_i − log(1 + B_noise/B_i); B_noise is found by a scan of `range` (log-spaced,
    /// 400 points) refined by golden-section search. Needs ≥ 2 distinct batch sizes with steps > 0.
    public static func fit(batchSizes: [Double], steps: [Double], range: ClosedRange<Double>? = nil) throws -> StepsModel {
        precondition(batchSizes.count == steps.count, "one step count per batch size")
        guard Set(batchSizes).count >= 2, steps.allSatisfy({ $0 > 0 && $0.isFinite }), batchSizes.allSatisfy({ $0 > 0 }) else {
            throw StatisticsError.shape("the steps model needs positive steps at two or more batch sizes")
        }
        let lo = range?.lowerBound ?? batchSizes.min()! / 100, hi = range?.upperBound ?? batchSizes.max()! * 100
        let logS = steps.map { Foundation.log($0) }
        func residual(_ logBn: Double) -> (sse: Double, logSmin: Double) {
            let bn = Foundation.exp(logBn)
            let shifted = zip(logS, batchSizes).map { $0 - Foundation.log1p(bn / $1) }
            let m = shifted.reduce(0, +) / Double(shifted.count)
            return (shifted.reduce(0) { $0 + ($1 - m) * ($1 - m) }, m)
        }
        let a = Foundation.log(lo), b = Foundation.log(hi), n = 400
        var best = 0, bestSSE = Double.infinity
        for i in 0...n {
            let sse = residual(a + (b - a) * Double(i) / Double(n)).sse
            if sse < bestSSE { best = i; bestSSE = sse }
        }
        // Refine inside the neighbouring grid cells.
        var left = a + (b - a) * Double(max(best - 1, 0)) / Double(n), right = a + (b - a) * Double(min(best + 1, n)) / Double(n)
        let phi = (5.0.squareRoot() - 1) / 2
        for _ in 0..<80 {
            let x1 = right - phi * (right - left), x2 = left + phi * (right - left)
            if residual(x1).sse <= residual(x2).sse { right = x2 } else { left = x1 }
        }
        let logBn = (left + right) / 2
        let (sse, logSmin) = residual(logBn)
        return StepsModel(minimumSteps: Foundation.exp(logSmin), criticalBatch: Foundation.exp(logBn),
                          logResidual: (sse / Double(steps.count)).squareRoot(), atBoundary: best == 0 || best == n)
    }
}
