// Dense square matrices of the compact L-BFGS representation (at most 2m × 2m, m ≈ 10): row-major
// storage and an LU factorisation with partial pivoting. Never used for n-sized data.

/// A row-major square matrix of order `order`.
struct SmallMatrix: Sendable {
    var order: Int
    var values: [Double]

    init(order: Int) {
        self.order = order
        values = [Double](repeating: 0, count: order * order)
    }

    subscript(row: Int, column: Int) -> Double {
        get { values[row * order + column] }
        set { values[row * order + column] = newValue }
    }
}

/// P·A = L·U with partial pivoting. The middle matrix of L-BFGS-B is symmetric but indefinite,
/// so Cholesky does not apply; pivoting keeps the solve stable for the tiny orders used here.
struct LUFactorization: Sendable {
    private var lu: SmallMatrix
    private var pivot: [Int]
    /// False when a pivot vanished (the caller then drops the memory and restarts).
    private(set) var isRegular = true

    init(_ matrix: SmallMatrix) {
        lu = matrix
        let n = matrix.order
        pivot = Array(0..<n)
        var scale = 0.0
        for v in matrix.values { scale = max(scale, abs(v)) }
        for k in 0..<n {
            var best = k
            for i in (k + 1)..<n where abs(lu[i, k]) > abs(lu[best, k]) { best = i }
            if !(abs(lu[best, k]) > 1e-14 * max(scale, 1e-300)) { isRegular = false; return }
            if best != k {
                for j in 0..<n { let t = lu[k, j]; lu[k, j] = lu[best, j]; lu[best, j] = t }
                pivot.swapAt(k, best)
            }
            for i in (k + 1)..<n {
                let factor = lu[i, k] / lu[k, k]
                lu[i, k] = factor
                if factor != 0 { for j in (k + 1)..<n { lu[i, j] -= factor * lu[k, j] } }
            }
        }
    }

    /// x with A·x = b.
    func solve(_ b: [Double]) -> [Double] {
        let n = lu.order
        precondition(b.count == n, "right-hand side has \(b.count) entries for order \(n)")
        var x = pivot.map { b[$0] }
        for i in 0..<n { for j in 0..<i { x[i] -= lu[i, j] * x[j] } }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in (i + 1)..<n { x[i] -= lu[i, j] * x[j] }
            x[i] /= lu[i, i]
        }
        return x
    }
}
