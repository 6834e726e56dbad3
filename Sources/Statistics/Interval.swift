// A point estimate with its two-sided confidence interval, and the mean of a sample with one.
import Foundation

/// An estimate and its confidence interval; `lower`/`upper` are nil when no interval exists
/// (a single replicate, or as many parameters as observations).
public struct Interval: Equatable, Sendable {
    public var estimate: Double
    public var lower: Double?
    public var upper: Double?
    /// Confidence level, e.g. 0.95.
    public var level: Double
    /// Observations behind the estimate.
    public var count: Int
    /// Residual degrees of freedom of the t quantile (0 when no interval exists).
    public var degreesOfFreedom: Int

    public init(estimate: Double, lower: Double?, upper: Double?, level: Double, count: Int, degreesOfFreedom: Int) {
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
        self.level = level
        self.count = count
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// estimate ± t_{(1+level)/2, df} · standardError, or no interval when df is 0.
    static func t(estimate: Double, standardError: Double, level: Double, count: Int, degreesOfFreedom: Int) -> Interval {
        guard degreesOfFreedom > 0, standardError.isFinite else {
            return Interval(estimate: estimate, lower: nil, upper: nil, level: level, count: count, degreesOfFreedom: 0)
        }
        let half = StudentT.quantile((1 + level) / 2, degreesOfFreedom: degreesOfFreedom) * standardError
        return Interval(estimate: estimate, lower: estimate - half, upper: estimate + half, level: level,
                        count: count, degreesOfFreedom: degreesOfFreedom)
    }
}

public enum Sample {
    /// The mean with the t interval mean ± t·s/√n (s: the sample standard deviation, n − 1 in the denominator).
    public static func meanInterval(_ values: [Double], level: Double = 0.95) -> Interval {
        precondition(!values.isEmpty, "the mean of no values")
        precondition(level > 0 && level < 1, "a confidence level lies in (0, 1), got \(level)")
        let n = values.count
        let mean = values.reduce(0, +) / Double(n)
        guard n > 1 else {
            return Interval(estimate: mean, lower: nil, upper: nil, level: level, count: 1, degreesOfFreedom: 0)
        }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        return .t(estimate: mean, standardError: (variance / Double(n)).squareRoot(), level: level,
                  count: n, degreesOfFreedom: n - 1)
    }

    /// The median (the mean of the middle two for an even count).
    public static func median(_ values: [Double]) -> Double {
        precondition(!values.isEmpty, "the median of no values")
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
