// Student's t distribution: the CDF and its quantile, for confidence intervals with few replicates.
import Foundation

public enum StudentT {
    /// P(T ≤ t) for T with ν degrees of freedom.
    public static func cdf(_ t: Double, degreesOfFreedom nu: Int) -> Double {
        precondition(nu >= 1, "the t distribution needs at least one degree of freedom")
        let v = Double(nu)
        let tail = 0.5 * IncompleteBeta.regularized(x: v / (v + t * t), a: v / 2, b: 0.5)
        return t > 0 ? 1 - tail : tail
    }

    /// The t with P(T ≤ t) = p: bisection on the CDF to the last bit (monotone, so it cannot fail).
    public static func quantile(_ p: Double, degreesOfFreedom nu: Int) -> Double {
        precondition(p > 0 && p < 1, "a quantile needs 0 < p < 1, got \(p)")
        if p == 0.5 { return 0 }
        // By symmetry solve for the upper tail only; the quantile of ν = 1 at p = 0.9995 is ~637.
        let upper = max(p, 1 - p)
        var low = 0.0, high = 1.0
        while cdf(high, degreesOfFreedom: nu) < upper { low = high; high *= 2 }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if mid == low || mid == high { break }
            if cdf(mid, degreesOfFreedom: nu) < upper { low = mid } else { high = mid }
        }
        let t = (low + high) / 2
        return p > 0.5 ? t : -t
    }
}
