// Ordinary least squares with the classical (homoscedastic) standard errors: the one model behind
// every claim's interval. Small designs only (a few dozen rows, a handful of columns), solved by
// Cholesky on the normal equations in Double.
import Foundation

public struct LinearFit: Sendable {
    public var coefficients: [Double]
    public var standardErrors: [Double]
    /// n − p; 0 means the residual variance, and so every interval, is undefined.
    public var residualDegreesOfFreedom: Int
    public var residualVariance: Double
    public var observations: Int

    /// The confidence interval of coefficient `index`.
    public func interval(_ index: Int, level: Double = 0.95) -> Interval {
        .t(estimate: coefficients[index], standardError: standardErrors[index], level: level,
           count: observations, degreesOfFreedom: residualDegreesOfFreedom)
    }
}

public enum StatisticsError: Error, CustomStringConvertible, Equatable {
    case rankDeficient(column: Int)
    case shape(String)

    public var description: String {
        switch self {
        case .rankDeficient(let column):
            return "the design matrix is rank deficient at column \(column): a factor has a level with no observations, or two columns are the same"
        case .shape(let what):
            return "linear model: \(what)"
        }
    }
}

public enum LinearModel {
    /// Fits y = Xβ + ε. `design` holds one row per observation, all of the same length p ≤ n.
    public static func fit(design: [[Double]], response: [Double]) throws -> LinearFit {
        let n = design.count
        guard n == response.count, n > 0 else { throw StatisticsError.shape("\(n) rows for \(response.count) responses") }
        let p = design[0].count
        guard p > 0, p <= n, design.allSatisfy({ $0.count == p }) else {
            throw StatisticsError.shape("rows of unequal length, or more columns (\(p)) than rows (\(n))")
        }
        // Normal equations A = XᵀX (p×p, row-major), b = Xᵀy.
        var a = [Double](repeating: 0, count: p * p)
        var b = [Double](repeating: 0, count: p)
        for (row, y) in zip(design, response) {
            for i in 0..<p {
                b[i] += row[i] * y
                for j in 0..<p { a[i * p + j] += row[i] * row[j] }
            }
        }
        let factor = try cholesky(a, p)
        let inverse = invert(factor: factor, p)
        var beta = [Double](repeating: 0, count: p)
        for i in 0..<p { for j in 0..<p { beta[i] += inverse[i * p + j] * b[j] } }
        var rss = 0.0
        for (row, y) in zip(design, response) {
            var fitted = 0.0
            for i in 0..<p { fitted += row[i] * beta[i] }
            rss += (y - fitted) * (y - fitted)
        }
        let df = n - p
        let variance = df > 0 ? rss / Double(df) : .nan
        let errors = (0..<p).map { (variance * inverse[$0 * p + $0]).squareRoot() }
        return LinearFit(coefficients: beta, standardErrors: errors, residualDegreesOfFreedom: df,
                         residualVariance: variance, observations: n)
    }

    /// Lower-triangular L with A = LLᵀ; a pivot below 1e-12 of the diagonal's scale means a column
    /// depends on the others.
    private static func cholesky(_ a: [Double], _ p: Int) throws -> [Double] {
        var l = [Double](repeating: 0, count: p * p)
        let scale = (0..<p).map { a[$0 * p + $0] }.max() ?? 1
        for j in 0..<p {
            var diagonal = a[j * p + j]
            for k in 0..<j { diagonal -= l[j * p + k] * l[j * p + k] }
            guard diagonal > 1e-12 * max(scale, 1e-300) else { throw StatisticsError.rankDeficient(column: j) }
            let root = diagonal.squareRoot()
            l[j * p + j] = root
            for i in (j + 1)..<p {
                var sum = a[i * p + j]
                for k in 0..<j { sum -= l[i * p + k] * l[j * p + k] }
                l[i * p + j] = sum / root
            }
        }
        return l
    }

    /// (LLᵀ)⁻¹ column by column: forward then backward substitution against each unit vector.
    private static func invert(factor l: [Double], _ p: Int) -> [Double] {
        var inverse = [Double](repeating: 0, count: p * p)
        for column in 0..<p {
            var z = [Double](repeating: 0, count: p)
            for i in 0..<p {
                var sum = i == column ? 1.0 : 0.0
                for k in 0..<i { sum -= l[i * p + k] * z[k] }
                z[i] = sum / l[i * p + i]
            }
            for i in stride(from: p - 1, through: 0, by: -1) {
                var sum = z[i]
                for k in (i + 1)..<p { sum -= l[k * p + i] * inverse[k * p + column] }
                inverse[i * p + column] = sum / l[i * p + i]
            }
        }
        return inverse
    }
}
