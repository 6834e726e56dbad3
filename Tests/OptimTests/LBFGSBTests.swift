// L-BFGS-B on problems with known box-constrained optima: interior, on faces (KKT), on a corner,
// bounded Rosenbrock, scipy's answers, the trace, determinism, and the S7 rule against projected gradient.
import Foundation
@testable import Optim
import Tensor
import TestSupport
import XCTest

final class LBFGSBTests: XCTestCase {
    /// KKT of a box problem: zero gradient where free, gradient pointing out of the box where bound.
    func assertKKT(_ r: LBFGSBResult, lower: [Double], upper: [Double], tolerance: Double,
                   file: StaticString = #filePath, line: UInt = #line) {
        for i in r.x.indices {
            let g = r.gradient[i]
            if r.x[i] == upper[i] { XCTAssertLessThanOrEqual(g, tolerance, "x[\(i)] at upper needs g ≤ 0", file: file, line: line) }
            else if r.x[i] == lower[i] { XCTAssertGreaterThanOrEqual(g, -tolerance, "x[\(i)] at lower needs g ≥ 0", file: file, line: line) }
            else { XCTAssertLessThanOrEqual(abs(g), tolerance, "x[\(i)] free needs g = 0", file: file, line: line) }
        }
        XCTAssertLessThanOrEqual(r.projectedGradientNorm, tolerance, file: file, line: line)
    }

    func testQuadraticWithOptimumInsideTheBox() {
        let n = 30
        let optimum = (0..<n).map { 0.5 * sin(Double($0)) }
        let q = Quadratic(n: n, point: optimum, gradient: [Double](repeating: 0, count: n))
        let r = LBFGSB.minimize(x0: [Double](repeating: 0.9, count: n), lower: [Double](repeating: -1, count: n),
                                upper: [Double](repeating: 1, count: n), memory: 5,
                                tolerances: LBFGSBTolerances(projectedGradient: 1e-9, relativeReduction: 0), function: q.evaluate)
        // Double precision: f stops decreasing (relative_reduction) once ‖P∇f‖ is about 1e-8.
        XCTAssertLessThan(r.projectedGradientNorm, 1e-7, "stopped by \(r.stopReason)")
        XCTAssertLessThan(r.iterations, 30, "a well-conditioned quadratic needs few iterations")
        assertClose(r.x, optimum, atol: 1e-6, "interior optimum")
    }

    func testQuadraticWithOptimumOutsideTheBoxStopsOnTheFacesAtAKKTPoint() {
        let n = 30
        let unconstrained = (0..<n).map { 2.5 * sin(0.7 * Double($0) + 0.3) }   // |·| up to 2.5, box [−1, 1]
        let q = Quadratic(n: n, point: unconstrained, gradient: [Double](repeating: 0, count: n))
        let lower = [Double](repeating: -1, count: n), upper = [Double](repeating: 1, count: n)
        let r = LBFGSB.minimize(x0: [Double](repeating: 0, count: n), lower: lower, upper: upper, memory: 5,
                                tolerances: LBFGSBTolerances(projectedGradient: 1e-9, relativeReduction: 0), function: q.evaluate)
        assertKKT(r, lower: lower, upper: upper, tolerance: 1e-6)
        let bound = r.x.indices.filter { r.x[$0] == lower[$0] || r.x[$0] == upper[$0] }.count
        XCTAssertGreaterThan(bound, 5, "several variables end on a face")
        XCTAssertLessThan(bound, n, "and some stay free")
        // Convex: the KKT point beats the clamped unconstrained optimum.
        XCTAssertLessThan(r.f, q.evaluate(unconstrained.map { min(max($0, -1), 1) }).0)
    }

    func testOptimumOnACornerWithTheGradientPushingOut() {
        let n = 12
        let corner = (0..<n).map { $0 % 3 == 0 ? -1.0 : 2.0 }
        let lower = [Double](repeating: -1, count: n), upper = [Double](repeating: 2, count: n)
        // ∇f at the corner points out of the box in every coordinate, so the corner is the minimiser.
        let q = Quadratic(n: n, point: corner, gradient: corner.map { $0 < 0 ? 0.5 : -0.3 })
        let r = LBFGSB.minimize(x0: [Double](repeating: 0.5, count: n), lower: lower, upper: upper, function: q.evaluate)
        XCTAssertEqual(r.x, corner)
        assertKKT(r, lower: lower, upper: upper, tolerance: 0)
    }

    func testUnconstrainedOptimumExactlyOnACorner() {
        let n = 12
        let corner = (0..<n).map { $0 % 2 == 0 ? 1.0 : -1.0 }
        let q = Quadratic(n: n, point: corner, gradient: [Double](repeating: 0, count: n))  // ∇f = 0 at the corner
        let r = LBFGSB.minimize(x0: [Double](repeating: 0, count: n), lower: [Double](repeating: -1, count: n),
                                upper: [Double](repeating: 1, count: n), function: q.evaluate)
        assertClose(r.x, corner, atol: 1e-6, "degenerate corner optimum")
        XCTAssertLessThan(r.projectedGradientNorm, 1e-5)
    }

    func testRosenbrockInABoxReachesTheFaceOptimum() {
        // On [−2, 0.5] × [−2, 2] the only stationary point (1, 1) is outside; on the face x₁ = 0.5 the
        // minimum is x₂ = 0.25 (f = 0.25, ∂f/∂x₁ = −1 pushes out); the other faces give f ≥ 5.
        let lower = [-2.0, -2], upper = [0.5, 2]
        let r = LBFGSB.minimize(x0: [-1.2, 1], lower: lower, upper: upper, memory: 5,
                                tolerances: LBFGSBTolerances(projectedGradient: 1e-10), function: rosenbrock)
        XCTAssertEqual(r.x[0], 0.5)
        XCTAssertEqual(r.x[1], 0.25, accuracy: 1e-8)
        XCTAssertEqual(r.f, 0.25, accuracy: 1e-12)
        XCTAssertEqual(r.gradient[0], -1, accuracy: 1e-6)
        assertKKT(r, lower: lower, upper: upper, tolerance: 1e-8)
    }

    func testMatchesScipyLBFGSBFixture() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "scipy_lbfgsb", withExtension: "json", subdirectory: "Fixtures"))
        let fixture = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let logistic = try XCTUnwrap(fixture["logistic"] as? [String: Any])
        let problem = Logistic()
        let lower = [Double](repeating: -0.3, count: 12), upper = [Double](repeating: 0.3, count: 12)
        let r = LBFGSB.minimize(x0: (0..<12).map { 0.1 * cos(Double($0)) }, lower: lower, upper: upper, memory: 5,
                                tolerances: LBFGSBTolerances(projectedGradient: 1e-10, relativeReduction: 0),
                                function: problem.evaluate)
        assertClose(r.x, try XCTUnwrap(logistic["x"] as? [Double]), atol: 1e-7, "logistic x vs scipy")
        XCTAssertEqual(r.f, try XCTUnwrap(logistic["f"] as? Double), accuracy: 1e-10)
        XCTAssertTrue(r.x.contains(0.3) && r.x.contains(-0.3), "the fixture has active bounds on both sides")

        let chained = try XCTUnwrap(fixture["chained_rosenbrock"] as? [String: Any])
        let n = 25
        let cLower = (0..<n).map { $0 % 2 == 0 ? 1.0 : -100 }, cUpper = [Double](repeating: 100, count: n)
        let c = LBFGSB.minimize(x0: [Double](repeating: 3, count: n), lower: cLower, upper: cUpper, memory: 5,
                                maxIterations: 1000, tolerances: LBFGSBTolerances(projectedGradient: 1e-10, relativeReduction: 0),
                                function: chainedRosenbrock)
        // The valley is flat along its tail (scipy stops at a different point of it): compare f and x₁.
        XCTAssertLessThanOrEqual(c.f, max(1e-9, 10 * (try XCTUnwrap(chained["f"] as? Double))))
        XCTAssertEqual(c.x[0], 1, accuracy: 1e-6, "stopped by \(c.stopReason) after \(c.iterations) iterations")
    }

    func testTraceCountsAndIterationCap() {
        var calls = 0
        let r = LBFGSB.minimize(x0: [-1.2, 1], lower: [-2, -2], upper: [2, 2], memory: 3, maxIterations: 4) { x in
            calls += 1
            return rosenbrock(x)
        }
        XCTAssertEqual(r.stopReason, .maxIterations)
        XCTAssertEqual(r.iterations, 4)
        XCTAssertEqual(r.trace.count, 5, "row 0 is the start")
        XCTAssertEqual(r.evaluations, calls)
        XCTAssertEqual(r.trace.last!.evaluations, calls)
        XCTAssertEqual(r.trace.map(\.iteration), [0, 1, 2, 3, 4])
        XCTAssertEqual(r.trace[0].f, rosenbrock([-1.2, 1]).0)
        XCTAssertEqual(r.trace.last!.f, r.f)
        for k in 1..<r.trace.count {
            XCTAssertLessThan(r.trace[k].f, r.trace[k - 1].f, "every accepted step decreases f")
            XCTAssertGreaterThan(r.trace[k].step, 0)
            XCTAssertGreaterThan(r.trace[k].stepNorm, 0)
            XCTAssertGreaterThan(r.trace[k].evaluations, r.trace[k - 1].evaluations)
        }
    }

    func testReachesAtLeastTheMaximumOfProjectedGradientAscent() {
        // Spec S7's acceptance rule on a sharpness-like problem: maximise an indefinite function
        // (a logistic loss minus a ridge) over a small box around a point, from a point inside the box.
        let problem = Logistic(ridge: 0)
        let centre = (0..<12).map { 0.2 * sin(Double($0) + 1) }
        let radius = centre.map { 0.05 * (abs($0) + 1) }
        let lower = (0..<12).map { centre[$0] - radius[$0] }, upper = (0..<12).map { centre[$0] + radius[$0] }
        let start = (0..<12).map { centre[$0] + 0.3 * radius[$0] * cos(3 * Double($0)) }
        let negated: ([Double]) -> (Double, [Double]) = { x in
            let (f, g) = problem.evaluate(x)
            var norm = 0.0
            for v in x { norm += v * v }
            return (-(f - 2 * norm), g.indices.map { -(g[$0] - 4 * x[$0]) })
        }
        let iterations = 10
        let ours = LBFGSB.minimize(x0: start, lower: lower, upper: upper, memory: 10, maxIterations: iterations,
                                   function: negated)
        let pgBest = [1e-3, 1e-2, 1e-1, 1, 10].map {
            projectedGradientDescent(x0: start, lower: lower, upper: upper, step: $0, iterations: iterations, negated)
        }.min()!
        XCTAssertLessThanOrEqual(ours.f, pgBest + 1e-12, "L-BFGS-B max \(-ours.f) vs projected-gradient ascent \(-pgBest)")
        XCTAssertLessThan(ours.f, negated(start).0, "and it moved uphill")
    }

    func testConcaveObjectiveReachesTheCornerByExpandingTheStep() {
        // f = −½|x|² on [−1, 1]⁸ from a point near the centre: every pair has sᵀy < 0 (skipped), so
        // B = I and the unit step only doubles x. The expansion along the projection arc must carry the
        // first iteration to the corner; 0.01 · 2² = 0.04 after two unit steps would fail here.
        let n = 8
        let x0 = (0..<n).map { $0 % 2 == 0 ? 0.01 : -0.01 }
        let r = LBFGSB.minimize(x0: x0, lower: [Double](repeating: -1, count: n), upper: [Double](repeating: 1, count: n),
                                maxIterations: 2) { x in (-0.5 * x.reduce(0) { $0 + $1 * $1 }, x.map { -$0 }) }
        XCTAssertEqual(r.x, x0.map { $0 > 0 ? 1 : -1 })
        XCTAssertEqual(r.f, -0.5 * Double(n))
        XCTAssertGreaterThan(r.trace[1].step, 1, "the first line search expanded")
    }

    func testSameInputsGiveTheSameBits() {
        let run = {
            LBFGSB.minimize(x0: (0..<12).map { 0.1 * cos(Double($0)) }, lower: [Double](repeating: -0.3, count: 12),
                            upper: [Double](repeating: 0.3, count: 12), memory: 4, maxIterations: 7, function: Logistic().evaluate)
        }
        let a = run(), b = run()
        XCTAssertEqual(a.x, b.x)
        XCTAssertEqual(a.trace, b.trace)
    }

    func testLargeSeparableProblemStaysLinearInN() {
        // n = 50 000: an n × n matrix would need 20 GB; the limited memory needs m·n.
        let n = 50_000
        let target = (0..<n).map { 1.5 * sin(0.001 * Double($0)) }
        let r = LBFGSB.minimize(x0: [Double](repeating: 0, count: n), lower: [Double](repeating: -1, count: n),
                                upper: [Double](repeating: 1, count: n), memory: 7, maxIterations: 60,
                                tolerances: LBFGSBTolerances(projectedGradient: 1e-8, relativeReduction: 0)) { x, g in
            var f = 0.0
            for i in 0..<x.count { let d = x[i] - target[i]; f += (1 + Double(i % 7)) * d * d; g[i] = 2 * (1 + Double(i % 7)) * d }
            return f
        }
        XCTAssertNotEqual(r.stopReason, .maxIterations)
        assertClose(r.x, target.map { min(max($0, -1), 1) }, atol: 1e-7, "separable box solution")
    }

    func testStartOutsideTheBoxIsProjected() {
        let r = LBFGSB.minimize(x0: [5, -5], lower: [-1, -1], upper: [1, 1], maxIterations: 0) { x in
            (x[0] * x[0] + x[1] * x[1], [2 * x[0], 2 * x[1]])
        }
        XCTAssertEqual(r.x, [1, -1])
        XCTAssertEqual(r.iterations, 0)
    }
}
