// The generalised Cauchy point (Byrd, Lu, Nocedal, Zhu 1995, algorithm CP): the first local
// minimiser of the quadratic model m(x) = f + gᵀ(x−x_k) + ½(x−x_k)ᵀB(x−x_k) along the projected
// steepest-descent path P(x_k − t·g), walking the breakpoints in increasing order. It decides which
// variables sit on their bounds for this iteration.

struct CauchyPoint {
    /// x^c: (n).
    var x: [Double]
    /// c = Wᵀ(x^c − x_k): (2k), reused by the subspace minimisation.
    var c: [Double]
    /// True where x^c is strictly between its bounds (the free variables of the subspace step).
    var free: [Bool]
    var freeCount: Int

    /// x, g, lower, upper: (n); x feasible.
    static func compute(x: [Double], g: [Double], lower: [Double], upper: [Double], memory: LimitedMemory) -> CauchyPoint {
        let n = x.count, theta = memory.theta
        var xc = x
        var d = [Double](repeating: 0, count: n)
        var breakpoints: [(t: Double, index: Int)] = []
        var f1 = 0.0
        for i in 0..<n {
            let t: Double
            if g[i] < 0 { t = upper[i] == .infinity ? .infinity : (x[i] - upper[i]) / g[i] }
            else if g[i] > 0 { t = lower[i] == -.infinity ? .infinity : (x[i] - lower[i]) / g[i] }
            else { t = .infinity }
            if t > 0 && g[i] != 0 {
                d[i] = -g[i]
                f1 -= g[i] * g[i]
                if t < .infinity { breakpoints.append((t, i)) }
            }
        }
        // Ties are broken by index so the walk (and every float sum) is fixed.
        breakpoints.sort { $0.t < $1.t || ($0.t == $1.t && $0.index < $1.index) }
        let width = memory.width
        var p = d.withUnsafeBufferPointer { memory.transposeTimes($0) }     // Wᵀd
        var c = [Double](repeating: 0, count: width)
        var mp = memory.applyM(p), mc = [Double](repeating: 0, count: width)  // M·p, M·c
        var f2 = -theta * f1 - dot(p, mp)
        let f2Original = f2
        var dtMin = -f1 / f2
        var tOld = 0.0
        var row = [Double](repeating: 0, count: width)
        var hit = 0
        while hit < breakpoints.count, f1 < 0 {
            let (t, b) = breakpoints[hit]
            let dt = t - tOld
            if dtMin < dt { break }
            hit += 1
            // Variable b reaches its bound: update the slope f1 and curvature f2 of the next segment.
            xc[b] = d[b] > 0 ? upper[b] : lower[b]
            let zb = xc[b] - x[b], gb = g[b]
            for j in 0..<width { c[j] += dt * p[j]; mc[j] += dt * mp[j] }
            f1 += dt * f2 + gb * gb + theta * gb * zb
            f2 -= theta * gb * gb
            if width > 0 {
                memory.row(b, into: &row)
                let mw = memory.applyM(row)
                f1 -= gb * dot(row, mc)
                f2 -= 2 * gb * dot(row, mp) + gb * gb * dot(row, mw)
                for j in 0..<width { p[j] += gb * row[j]; mp[j] += gb * mw[j] }
            }
            d[b] = 0
            // Safeguard from the reference code: keep the curvature positive after cancellation.
            f2 = max(Double.ulpOfOne * f2Original, f2)
            dtMin = -f1 / f2
            tOld = t
        }
        dtMin = max(dtMin, 0)
        if !(dtMin.isFinite) { dtMin = 0 }
        tOld += dtMin
        for i in 0..<n where d[i] != 0 { xc[i] = min(max(x[i] + tOld * d[i], lower[i]), upper[i]) }
        for j in 0..<width { c[j] += dtMin * p[j] }
        var free = [Bool](repeating: false, count: n)
        var freeCount = 0
        for i in 0..<n where xc[i] > lower[i] && xc[i] < upper[i] { free[i] = true; freeCount += 1 }
        return CauchyPoint(x: xc, c: c, free: free, freeCount: freeCount)
    }
}

@inline(__always)
func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
}
