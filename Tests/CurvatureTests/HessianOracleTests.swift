// Exact HVPs (and, for contrast, finite differences of gradients), Lanczos' λ_max, Hutchinson's trace and SLQ against PyTorch's exact
// float64 Hessian of the tiny fixture network. Fails beyond the stated tolerances.
import XCTest
import NN
@testable import Curvature

final class HessianOracleTests: XCTestCase {
    func testLossAndGradientMatchPyTorch() throws {
        let f = try HessianFixture.load()
        let loss = try f.trainingLoss()
        var g = [Double](repeating: 0, count: f.parameters.count)
        let value = loss.evaluate(at: f.parameters, gradient: &g)
        XCTAssertEqual(value, f.meanLoss, accuracy: 1e-6)
        assertClose(g, f.meanGradient, atol: 2e-6, rtol: 1e-4, "mean gradient")
    }

    /// The exact HVP matches PyTorch's float64 hvp to Float32 accuracy on every direction, and with
    /// 1 or 2 threads to the bit.
    func testExactHVPMatchesPyTorch() throws {
        let f = try HessianFixture.load()
        let hessian = ExactHessian(loss: try f.trainingLoss(), theta: f.parameters)
        let single = try f.trainingLoss(threads: 1)
        let hessian1 = ExactHessian(loss: single, theta: f.parameters)
        for (k, (v, exact)) in zip(f.directions, f.hessianVectorProducts).enumerated() {
            let hv = hessian.apply(v)
            let error = relativeError(hv, exact)
            print(String(format: "direction %d: exact HVP relative error %.2e", k, error))
            XCTAssertLessThan(error, 1e-5, "direction \(k)")
            assertClose(hv, exact, atol: 1e-5 * exact.map(abs).max()!, rtol: 1e-4, "Hv, direction \(k)")
            XCTAssertEqual(hessian1.apply(v), hv, "1 vs 2 threads, direction \(k)")
        }
    }

    /// Why the library has no finite-difference HVP: central differences of the Float32 gradient,
    /// (∇f(θ + h·v̂) − ∇f(θ − h·v̂))‖v‖ / 2h, against the exact product, over h = κ‖θ‖. Truncation
    /// (O(h²)) and rounding (≈ ε‖g‖/h) alone would give a U-shaped curve with its minimum near
    /// κ ≈ ε^(1/3) ≈ 5e-3; on a ReLU network the error instead GROWS as h falls from 3e-2 to 1e-5,
    /// because a difference across an activation or max-pool switch sees a gradient jump Δ with
    /// weight Δ/2h. The test asserts that no step comes within 100× of the exact product.
    func testFiniteDifferencesOfGradientsAreFarWorse() throws {
        let f = try HessianFixture.load()
        let loss = try f.trainingLoss()
        let norm = f.parameters.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        var table = "κ = h/‖θ‖   finite-difference HVP relative error per direction (‖Hv_fd − Hv‖ / ‖Hv‖)\n"
        var best = Double.infinity
        for kappa in [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6, 3e-7] {
            let errors = zip(f.directions, f.hessianVectorProducts).map { v, exact in
                relativeError(centralDifference(loss, f.parameters, v, step: kappa * norm), exact)
            }
            best = min(best, errors.max()!)
            table += String(format: "%8.0e    ", kappa) + errors.map { String(format: "%.2e", $0) }.joined(separator: "  ") + "\n"
        }
        print(table)
        let hessian = ExactHessian(loss: loss, theta: f.parameters)
        let exactError = zip(f.directions, f.hessianVectorProducts).map { relativeError(hessian.apply($0), $1) }.max()!
        XCTAssertGreaterThan(best, 100 * exactError, "a finite-difference step came close to the exact HVP: best \(best)")
    }

    func centralDifference(_ loss: TrainingLoss, _ theta: [Float], _ v: [Double], step h: Double) -> [Double] {
        let length = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var plus = [Double](repeating: 0, count: v.count), minus = plus
        loss.evaluate(at: TrainingLoss.shifted(theta, by: v, scale: h / length), gradient: &plus)
        loss.evaluate(at: TrainingLoss.shifted(theta, by: v, scale: -h / length), gradient: &minus)
        return zip(plus, minus).map { ($0 - $1) * length / (2 * h) }
    }

    func testLanczosTopEigenvalueMatchesTheExactHessian() throws {
        let f = try HessianFixture.load()
        let hvp = ExactHessian(loss: try f.trainingLoss(), theta: f.parameters)
        let top = HessianSpectrum.topEigenvalue(hvp, steps: 20, seed: 1)
        print(String(format: "λ_max: Lanczos %.6f (residual bound %.1e, %d steps) vs exact %.6f", top.value, top.residual, top.steps, f.eigenvalues[0]))
        XCTAssertEqual(top.value, f.eigenvalues[0], accuracy: 1e-5 * f.eigenvalues[0])
        XCTAssertLessThan(top.residual, 1e-4 * f.eigenvalues[0], "Lanczos has not converged")
    }

    /// Hutchinson's estimate lies within 4 standard deviations of the exact trace, the standard
    /// deviation from the exact variance 2(‖H‖_F² − Σ H_ii²)/s; the sample variance agrees with it.
    func testHutchinsonTraceWithinItsVarianceBound() throws {
        let f = try HessianFixture.load()
        let hvp = ExactHessian(loss: try f.trainingLoss(), theta: f.parameters)
        let samples = 100
        let estimate = HessianSpectrum.trace(hvp, samples: samples, seed: 1)
        let sigma = (2 * (f.frobeniusSquared - f.diagonalSquared) / Double(samples)).squareRoot()
        print(String(format: "trace: Hutchinson %.4f ± %.4f (sample), exact %.4f, σ %.4f (exact variance)",
                     estimate.mean, estimate.standardError, f.trace, sigma))
        XCTAssertLessThan(abs(estimate.mean - f.trace), 4 * sigma)
        XCTAssertEqual(estimate.standardError / sigma, 1, accuracy: 0.35, "sample vs exact variance")
    }

    /// SLQ: each probe's weights sum to 1, its top node is λ_max, and P·Σ w·node is its Hutchinson sample.
    func testSpectralDensityProbes() throws {
        let f = try HessianFixture.load()
        let hvp = ExactHessian(loss: try f.trainingLoss(), theta: f.parameters)
        let probes = HessianSpectrum.density(hvp, steps: 30, probes: 4, seed: 3)
        let p = Double(f.parameters.count)
        var traces: [Double] = []
        for probe in probes {
            XCTAssertEqual(probe.weights.reduce(0, +), 1, accuracy: 1e-9)
            XCTAssertEqual(probe.nodes[0], f.eigenvalues[0], accuracy: 1e-5 * f.eigenvalues[0])
            traces.append(p * zip(probe.weights, probe.nodes).reduce(0) { $0 + $1.0 * $1.1 })
        }
        let sigma = (2 * (f.frobeniusSquared - f.diagonalSquared) / Double(probes.count)).squareRoot()
        XCTAssertLessThan(abs(traces.reduce(0, +) / Double(traces.count) - f.trace), 4 * sigma)
    }

    /// λ_max's Lanczos run doubles as one SLQ probe (F21): same top node, weights summing to 1, and its
    /// moments are the start vector's: P·Σ w·node = P·vᵀHv, and Σ w·node² = vᵀH²v ≤ λ_max².
    func testTopEigenvalueCarriesAQuadratureProbe() throws {
        let f = try HessianFixture.load()
        let hvp = ExactHessian(loss: try f.trainingLoss(), theta: f.parameters)
        let top = HessianSpectrum.topEigenvalue(hvp, steps: 30, seed: 5)
        XCTAssertEqual(top.probe.nodes[0], top.value)
        XCTAssertEqual(top.probe.nodes.count, 30)
        XCTAssertEqual(top.probe.weights.reduce(0, +), 1, accuracy: 1e-9)
        let second = zip(top.probe.weights, top.probe.nodes).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }
        XCTAssertLessThanOrEqual(second, f.eigenvalues.map { $0 * $0 }.max()! * (1 + 1e-9))
        XCTAssertTrue(top.probe.weights.allSatisfy { $0 >= 0 })
    }
}
