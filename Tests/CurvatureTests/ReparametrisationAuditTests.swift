// Dinh et al.'s audit on the tiny fixture network: rescaling layer j by α and layer j+1 by 1/α
// leaves the outputs unchanged; adaptive sharpness stays, λ_max, the trace and Keskar's box move.
import XCTest
import NN
@testable import Curvature

final class ReparametrisationAuditTests: XCTestCase {
    static let settings = CurvatureSettings(lanczosSteps: 20, traceSamples: 20, rho: 0.05, epsilon: 1e-3,
                                            ascentSteps: 10, ascentStep: 0.25, averageSamples: 20, seed: 1)

    func testAdaptiveSharpnessIsInvariantAndLambdaMaxIsNot() throws {
        let f = try HessianFixture.load()
        let loss = try f.trainingLoss()
        let layout = loss.network.model.layout
        for layer in [0, 2] {  // conv1 → conv2 (a max-pool between), dense1 → out
            let rows = ReparametrisationAudit.run(loss, theta: f.parameters, layer: layer, alphas: [0.25, 1, 4], settings: Self.settings)
            print(table(rows, layer: Reparametrisation.layerName(layout, layer)))
            let base = rows[1].measurement
            for row in rows {
                let m = row.measurement
                XCTAssertLessThanOrEqual(row.maxLogitChange, 1e-6, "α \(row.alpha): outputs changed")
                XCTAssertEqual(m.loss, base.loss, accuracy: 1e-9)
                XCTAssertEqual(m.adaptiveWorst.sharpness, base.adaptiveWorst.sharpness, accuracy: 1e-4 * base.adaptiveWorst.sharpness,
                               "adaptive worst case at α \(row.alpha)")
                XCTAssertEqual(m.adaptiveAverage.sharpness, base.adaptiveAverage.sharpness,
                               accuracy: 1e-4 * abs(base.adaptiveAverage.sharpness), "adaptive average case at α \(row.alpha)")
            }
            let lambdas = rows.map(\.measurement.topEigenvalue.value)
            XCTAssertGreaterThan(lambdas.max()! / lambdas.min()!, 1.5, "λ_max should move with α: \(lambdas)")
            let traces = rows.map(\.measurement.trace.mean)
            XCTAssertGreaterThan(traces.max()! / traces.min()!, 1.5, "the trace should move with α: \(traces)")
        }
    }

    func testRescalingKeepsTheFunctionBitForBit() throws {
        let f = try HessianFixture.load()
        let loss = try f.trainingLoss()
        let layout = loss.network.model.layout
        let reference = ReparametrisationAudit.logits(loss, f.parameters)
        for layer in 0..<(Reparametrisation.layerCount(layout) - 1) {
            for alpha: Float in [0.25, 4, 3] {
                let scaled = Reparametrisation.rescale(f.parameters, layout: layout, layer: layer, alpha: alpha)
                XCTAssertNotEqual(scaled, f.parameters)
                let logits = ReparametrisationAudit.logits(loss, scaled)
                // Powers of two are exact; α = 3 rounds, so only a Float tolerance holds.
                assertClose(logits, reference, atol: alpha == 3 ? 1e-5 : 0, rtol: alpha == 3 ? 1e-5 : 0, "layer \(layer), α \(alpha)")
            }
        }
    }

    func table(_ rows: [AuditRow], layer: String) -> String {
        var s = "rescaled \(layer) by α, the next layer by 1/α\n"
        s += "   α    max|Δlogit|   f(θ)       λ_max      trace      adaptive worst  adaptive avg   Keskar-box worst\n"
        for r in rows {
            let m = r.measurement
            s += String(format: "%5.2f  %.1e      %.6f  %9.4f  %9.4f  %.6e   %.6e   %.6e\n", r.alpha, r.maxLogitChange, m.loss,
                        m.topEigenvalue.value, m.trace.mean, m.adaptiveWorst.sharpness, m.adaptiveAverage.sharpness, m.keskarWorst.sharpness)
        }
        return s
    }
}
