// The subspace step of L-BFGS-B (Byrd, Lu, Nocedal, Zhu 1995, §5.1, the direct primal method):
// minimise the quadratic model over the free variables of the Cauchy point, the others fixed at
// their bounds, then truncate the step so it stays inside the box.

enum SubspaceMinimization {
    /// x̄ = x^c + α*·d^u on the free variables, where
    /// d^u = −(1/θ)·r − (1/θ²)·ZᵀW·(I − (1/θ)·M·WᵀZZᵀW)⁻¹·M·WᵀZ·r,  r = Zᵀ(g + θ(x^c − x) − W·M·c),
    /// and α* ≤ 1 is the largest step keeping every free variable within its bounds.
    /// x, g, lower, upper: (n) · returns x̄: (n).
    static func step(x: [Double], g: [Double], lower: [Double], upper: [Double], cauchy: CauchyPoint,
                     memory: LimitedMemory) -> [Double] {
        let n = x.count, theta = memory.theta, width = memory.width
        var xBar = cauchy.x
        guard cauchy.freeCount > 0 else { return xBar }
        let free = cauchy.free
        // Reduced gradient r on the free variables (zero elsewhere).
        var r = [Double](repeating: 0, count: n)
        for i in 0..<n where free[i] { r[i] = g[i] + theta * (cauchy.x[i] - x[i]) }
        if width > 0 {
            let mc = memory.applyM(cauchy.c)
            r.withUnsafeMutableBufferPointer { memory.addTimes(mc, scale: -1, mask: free, into: $0) }
        }
        var du = [Double](repeating: 0, count: n)
        for i in 0..<n where free[i] { du[i] = -r[i] / theta }
        if width > 0 {
            let v = memory.applyM(r.withUnsafeBufferPointer { memory.transposeTimes($0, mask: free) })
            // N = I − (1/θ)·M·(WᵀZZᵀW), built column by column from solves with K.
            let gram = memory.maskedGram(mask: free)
            var nMatrix = SmallMatrix(order: width)
            for col in 0..<width {
                let mCol = memory.applyM((0..<width).map { gram[$0, col] })
                for row in 0..<width { nMatrix[row, col] = (row == col ? 1 : 0) - mCol[row] / theta }
            }
            let lu = LUFactorization(nMatrix)
            if lu.isRegular {
                let w = lu.solve(v)
                du.withUnsafeMutableBufferPointer { memory.addTimes(w, scale: -1 / (theta * theta), mask: free, into: $0) }
            }
        }
        var alpha = 1.0
        for i in 0..<n where free[i] && du[i] != 0 {
            let room = du[i] > 0 ? upper[i] - cauchy.x[i] : lower[i] - cauchy.x[i]
            alpha = min(alpha, room / du[i])
        }
        alpha = max(alpha, 0)
        for i in 0..<n where free[i] { xBar[i] = min(max(cauchy.x[i] + alpha * du[i], lower[i]), upper[i]) }
        return xBar
    }
}
