// Jacobi, Lanczos and Hutchinson on explicit matrices whose spectra are known exactly.
import XCTest
import Tensor
@testable import Curvature

final class SpectrumAlgorithmTests: XCTestCase {
    /// A = Q·diag(λ)·Qᵀ with Q a product of seeded Householder reflections: a dense matrix, known spectrum.
    static func matrix(eigenvalues: [Double], seed: UInt64) -> [Double] {
        let n = eigenvalues.count
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { a[i * n + i] = eigenvalues[i] }
        var g = SeededGenerator(seed: seed)
        for _ in 0..<3 {
            var u = (0..<n).map { _ in g.nextGaussian() }
            let l = norm(u); for i in u.indices { u[i] /= l }
            // A ← (I − 2uuᵀ) A (I − 2uuᵀ)
            let au = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a[i * n + $1] * u[$1] } }
            let uau = dot(u, au)
            for i in 0..<n { for j in 0..<n { a[i * n + j] += -2 * u[i] * au[j] - 2 * au[i] * u[j] + 4 * uau * u[i] * u[j] } }
        }
        return a
    }

    func testJacobiEigenvaluesAndVectors() {
        let lambda = [7.5, 3, 1, -0.5, -2]
        let a = Self.matrix(eigenvalues: lambda, seed: 5)
        let e = SymmetricEigen(a, n: 5)
        assertClose(e.values, lambda, atol: 1e-12, rtol: 0, "Jacobi eigenvalues")
        let op = DenseSymmetricOperator(dimension: 5, entries: a)
        for (k, v) in e.vectors.enumerated() {
            assertClose(op.apply(v), v.map { $0 * lambda[k] }, atol: 1e-12, rtol: 0, "A·v_\(k) = λ_\(k)·v_\(k)")
        }
    }

    func testLanczosFindsTheExtremeEigenvalues() {
        var g = SeededGenerator(seed: 9)
        let lambda = [10.0, 6] + (0..<58).map { _ in 4 * g.nextUnitDouble() - 1 }
        let op = DenseSymmetricOperator(dimension: 60, entries: Self.matrix(eigenvalues: lambda, seed: 2))
        let top = HessianSpectrum.topEigenvalue(op, steps: 20, seed: 1)
        XCTAssertEqual(top.value, 10, accuracy: 1e-8)
        XCTAssertLessThan(top.residual, 1e-6)
        let full = Lanczos.run(op, start: (0..<60).map { Double($0 % 7) - 3 }, steps: 60)
        assertClose(full.ritz.values, lambda.sorted(by: >), atol: 1e-9, rtol: 0, "60 Lanczos steps: the whole spectrum")
    }

    func testHutchinsonIsUnbiasedWithTheKnownVariance() {
        let lambda = (0..<40).map { Double($0 % 5) - 1 }
        let a = Self.matrix(eigenvalues: lambda, seed: 4)
        let op = DenseSymmetricOperator(dimension: 40, entries: a)
        let samples = 400
        let estimate = HessianSpectrum.trace(op, samples: samples, seed: 7)
        let frobenius = a.reduce(0) { $0 + $1 * $1 }, diagonal = (0..<40).reduce(0.0) { $0 + a[$1 * 41] * a[$1 * 41] }
        let sigma = (2 * (frobenius - diagonal) / Double(samples)).squareRoot()
        XCTAssertLessThan(abs(estimate.mean - lambda.reduce(0, +)), 4 * sigma)
        XCTAssertEqual(estimate.standardError / sigma, 1, accuracy: 0.2)
    }
}
