// The pieces of L-BFGS-B checked against first principles on tiny problems: the compact matrix
// against the BFGS recursion, the Cauchy point against a dense walk along the projected path,
// the subspace step against the model's gradient. (The full optimiser restarts its way around a
// wrong piece, so end-to-end tests alone would not catch one.)
@testable import Optim
import Tensor
import TestSupport
import XCTest

final class CompactModelTests: XCTestCase {
    let n = 8

    /// A memory of 3 pairs: s from a formula, y = A·s for an SPD A (so sᵀy > 0).
    func memory() -> LimitedMemory {
        var memory = LimitedMemory(n: n, capacity: 3)
        for k in 0..<4 {   // one more pair than the capacity: the oldest is dropped
            let s = (0..<n).map { sin(Double(3 * k + $0) * 0.9) + 0.2 }
            let y = spd(s)
            s.withUnsafeBufferPointer { sb in y.withUnsafeBufferPointer { _ = memory.update(step: sb, gradientChange: $0) } }
        }
        XCTAssertEqual(memory.count, 3)
        return memory
    }

    func spd(_ v: [Double]) -> [Double] {
        (0..<n).map { (i: Int) -> Double in
            let left: Double = i > 0 ? v[i - 1] : 0
            let right: Double = i + 1 < n ? v[i + 1] : 0
            return (2 + Double(i) * 0.3) * v[i] + 0.5 * (left + right)
        }
    }

    /// B·v from the compact form θv − W·M·Wᵀv.
    func compactTimes(_ m: LimitedMemory, _ v: [Double]) -> [Double] {
        let mw = m.applyM(v.withUnsafeBufferPointer { m.transposeTimes($0) })
        var row = [Double](repeating: 0, count: m.width)
        return (0..<n).map { i in
            m.row(i, into: &row)
            return m.theta * v[i] - dot(row, mw)
        }
    }

    /// B from the BFGS recursion B ← B − Bs sᵀB / sᵀBs + y yᵀ / yᵀs, B₀ = θI, over the kept pairs.
    func recursionMatrix(theta: Double) -> [[Double]] {
        var b = (0..<n).map { i in (0..<n).map { i == $0 ? theta : 0 } }
        for k in 1..<4 {
            let s = (0..<n).map { sin(Double(3 * k + $0) * 0.9) + 0.2 }
            let y = spd(s)
            let bs = (0..<n).map { i in dot(b[i], s) }
            let sbs = dot(s, bs), ys = dot(y, s)
            for i in 0..<n { for j in 0..<n { b[i][j] += -bs[i] * bs[j] / sbs + y[i] * y[j] / ys } }
        }
        return b
    }

    func model(_ m: LimitedMemory, x: [Double], g: [Double], at z: [Double]) -> Double {
        let d = (0..<n).map { z[$0] - x[$0] }
        return dot(g, d) + 0.5 * dot(d, compactTimes(m, d))
    }

    func testCompactMatrixEqualsTheBFGSRecursion() {
        let m = memory()
        let b = recursionMatrix(theta: m.theta)
        for k in 0..<3 {
            let v = (0..<n).map { cos(Double($0 * (k + 1))) }
            let expected = (0..<n).map { dot(b[$0], v) }
            if let message = Closeness.check(compactTimes(m, v), expected, atol: 1e-10, rtol: 1e-10, label: "B·v") { XCTFail(message) }
        }
    }

    func testCauchyPointIsTheFirstMinimiserAlongTheProjectedPath() {
        let m = memory()
        let x = (0..<n).map { 0.3 * cos(Double($0)) }
        let g = (0..<n).map { 2 * sin(Double($0) + 0.5) }
        // Even variables in a tight box (they reach a bound early on the path), odd ones in a wide one.
        let lower = (0..<n).map { $0 % 2 == 0 ? x[$0] - 0.05 : -5 }, upper = (0..<n).map { $0 % 2 == 0 ? x[$0] + 0.05 : 5 }
        let cauchy = CauchyPoint.compute(x: x, g: g, lower: lower, upper: upper, memory: m)
        // Dense walk along P(x − t·g): the first t where the model stops decreasing.
        let path = { (t: Double) in (0..<self.n).map { min(max(x[$0] - t * g[$0], lower[$0]), upper[$0]) } }
        var t = 0.0, best = model(m, x: x, g: g, at: x)
        while t < 10 {
            let next = model(m, x: x, g: g, at: path(t + 1e-5))
            if next > best { break }
            best = next; t += 1e-5
        }
        XCTAssertGreaterThan(t, 0, "the walk moved")
        if let message = Closeness.check(cauchy.x, path(t), atol: 1e-4, rtol: 0, label: "Cauchy point") { XCTFail(message) }
        XCTAssertLessThanOrEqual(model(m, x: x, g: g, at: cauchy.x), best + 1e-12)
        // c = Wᵀ(x^c − x), reused by the subspace step.
        let z = (0..<n).map { cauchy.x[$0] - x[$0] }
        if let message = Closeness.check(cauchy.c, z.withUnsafeBufferPointer { m.transposeTimes($0) }, atol: 1e-12, rtol: 1e-10,
                                         label: "c") { XCTFail(message) }
        XCTAssertTrue(cauchy.free.contains(true) && cauchy.free.contains(false), "the example has free and bound variables")
    }

    func testSubspaceStepZeroesTheModelGradientOnTheFreeVariables() {
        let m = memory()
        let x = (0..<n).map { 0.3 * cos(Double($0)) }
        let g = (0..<n).map { 2 * sin(Double($0) + 0.5) }
        // Wide bounds on most variables (α* = 1), tight on two so that they are fixed at the Cauchy point.
        var lower = [Double](repeating: -50, count: n), upper = [Double](repeating: 50, count: n)
        lower[1] = x[1] - 0.01; upper[1] = x[1] + 0.01
        lower[5] = x[5] - 0.01; upper[5] = x[5] + 0.01
        let cauchy = CauchyPoint.compute(x: x, g: g, lower: lower, upper: upper, memory: m)
        XCTAssertFalse(cauchy.free[1] || cauchy.free[5])
        let xBar = SubspaceMinimization.step(x: x, g: g, lower: lower, upper: upper, cauchy: cauchy, memory: m)
        let modelGradient = compactTimes(m, (0..<n).map { xBar[$0] - x[$0] }).enumerated().map { g[$0.offset] + $0.element }
        for i in 0..<n {
            if cauchy.free[i] { XCTAssertEqual(modelGradient[i], 0, accuracy: 1e-10, "free variable \(i)") }
            else { XCTAssertEqual(xBar[i], cauchy.x[i], "fixed variable \(i) stays at the Cauchy point") }
        }
    }

    func testLUSolvesAnIndefiniteSystem() {
        var a = SmallMatrix(order: 3)
        a.values = [0, 2, 1, 2, -1, 0, 1, 0, 3]   // zero leading pivot: needs row exchange
        let x = LUFactorization(a).solve([7, 0, 10])
        if let message = Closeness.check(x, [1, 2, 3], atol: 1e-12, rtol: 0, label: "LU") { XCTFail(message) }
    }
}
