// Eigenvalues and eigenvectors of a small dense symmetric matrix by cyclic Jacobi rotations: a few
// dozen lines, accurate to rounding, and plenty for Lanczos' tridiagonal matrices (tens of rows).

public struct SymmetricEigen: Sendable {
    /// Descending.
    public var values: [Double]
    /// vectors[k]: the unit eigenvector of values[k] (n).
    public var vectors: [[Double]]

    /// a: row-major (n, n), symmetric.
    public init(_ a: [Double], n: Int) {
        precondition(a.count == n * n, "SymmetricEigen: \(a.count) entries for \(n)²")
        var m = a
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0, total = 0.0
            for i in 0..<n { for j in 0..<n { total += m[i * n + j] * m[i * n + j]; if i != j { off += m[i * n + j] * m[i * n + j] } } }
            if off <= 1e-24 * max(total, 1e-300) { break }  // off-diagonal mass at rounding level
            for p in 0..<n {
                for q in (p + 1)..<n where m[p * n + q] != 0 {
                    // The rotation that zeroes m[p][q] (Golub & Van Loan, algorithm 8.4.2, stable form).
                    let theta = (m[q * n + q] - m[p * n + p]) / (2 * m[p * n + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {  // m ← m·J
                        let mkp = m[k * n + p], mkq = m[k * n + q]
                        m[k * n + p] = c * mkp - s * mkq
                        m[k * n + q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {  // m ← Jᵀ·m
                        let mpk = m[p * n + k], mqk = m[q * n + k]
                        m[p * n + k] = c * mpk - s * mqk
                        m[q * n + k] = s * mpk + c * mqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { m[$0 * n + $0] > m[$1 * n + $1] }
        values = order.map { m[$0 * n + $0] }
        vectors = order.map { k in (0..<n).map { v[$0 * n + k] } }
    }
}
