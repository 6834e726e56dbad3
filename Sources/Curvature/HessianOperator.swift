// A symmetric linear operator v ↦ Hv on R^P, the one thing Lanczos and Hutchinson need; and the
// dense matrix form the tests use as an operator with known eigenvalues.

public protocol HessianOperator: AnyObject {
    var dimension: Int { get }
    /// H·v for v: (P); returns (P).
    func apply(_ v: [Double]) -> [Double]
}

/// An explicit symmetric matrix (row-major, P×P) as an operator: for tests and tiny problems.
public final class DenseSymmetricOperator: HessianOperator {
    public let dimension: Int
    public let entries: [Double]

    public init(dimension: Int, entries: [Double]) {
        precondition(entries.count == dimension * dimension, "DenseSymmetricOperator: \(entries.count) entries for \(dimension)²")
        self.dimension = dimension
        self.entries = entries
    }

    public func apply(_ v: [Double]) -> [Double] {
        (0..<dimension).map { i in
            var s = 0.0
            for j in 0..<dimension { s += entries[i * dimension + j] * v[j] }
            return s
        }
    }
}

// MARK: - Small vector helpers in Double (fixed summation order)

@inline(__always) func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
}

@inline(__always) func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
