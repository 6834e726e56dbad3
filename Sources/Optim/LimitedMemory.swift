// The compact limited-memory BFGS matrix B = θI − W·M·Wᵀ (Byrd, Nocedal, Schnabel 1994), with
// W = [Y, θS] (n × 2k) and M = K⁻¹, K = [[−D, Lᵀ], [L, θ·SᵀS]] (2k × 2k). Stores the last m pairs
// (s, y) in two m × n ring buffers: O(m·n) memory, no n × n matrix anywhere.

struct LimitedMemory {
    let n: Int
    let capacity: Int
    /// Pairs held, oldest first at ring slot `first`.
    private(set) var count = 0
    private var first = 0
    private var s: [Double], y: [Double]        // (capacity, n) each, ring slots
    private var sts: SmallMatrix, sty: SmallMatrix  // (capacity, capacity), indexed by ring slot
    /// The scaling θ = yᵀy / sᵀy of the newest pair (1 with an empty memory).
    private(set) var theta = 1.0
    private var factorization: LUFactorization?

    init(n: Int, capacity: Int) {
        precondition(capacity >= 1, "L-BFGS-B needs a memory of at least one pair")
        self.n = n
        self.capacity = capacity
        s = [Double](repeating: 0, count: capacity * n)
        y = [Double](repeating: 0, count: capacity * n)
        sts = SmallMatrix(order: capacity)
        sty = SmallMatrix(order: capacity)
    }

    /// 2k, the length of Wᵀv.
    var width: Int { 2 * count }

    private func slot(_ j: Int) -> Int { (first + j) % capacity }

    mutating func reset() {
        count = 0; first = 0; theta = 1; factorization = nil
    }

    /// Adds the pair (s, y) when its curvature sᵀy is safely positive, sᵀy ≥ `minimumCurvature` and
    /// sᵀy > ε·yᵀy; reports whether it did. Skipping the others keeps B positive definite on a
    /// non-convex f, and a floor on sᵀy keeps θ = yᵀy/sᵀy from exploding (which would shrink every step).
    @discardableResult
    mutating func update(step: UnsafeBufferPointer<Double>, gradientChange: UnsafeBufferPointer<Double>,
                         minimumCurvature: Double = 0) -> Bool {
        var sy = 0.0, yy = 0.0
        for i in 0..<n { sy += step[i] * gradientChange[i]; yy += gradientChange[i] * gradientChange[i] }
        guard sy > Double.ulpOfOne * yy, sy > 0, sy >= minimumCurvature, yy.isFinite else { return false }
        if count == capacity { first = (first + 1) % capacity; count -= 1 }
        let new = slot(count)
        s.withUnsafeMutableBufferPointer { sb in
            y.withUnsafeMutableBufferPointer { yb in
                for i in 0..<n { sb[new * n + i] = step[i]; yb[new * n + i] = gradientChange[i] }
            }
        }
        count += 1
        // The new row and column of SᵀS and SᵀY (O(k·n)).
        s.withUnsafeBufferPointer { sb in
            y.withUnsafeBufferPointer { yb in
                for j in 0..<count {
                    let other = slot(j)
                    var ss = 0.0, sNewYOther = 0.0, sOtherYNew = 0.0
                    for i in 0..<n {
                        ss += sb[new * n + i] * sb[other * n + i]
                        sNewYOther += sb[new * n + i] * yb[other * n + i]
                        sOtherYNew += sb[other * n + i] * yb[new * n + i]
                    }
                    sts[new, other] = ss; sts[other, new] = ss
                    sty[new, other] = sNewYOther; sty[other, new] = sOtherYNew
                }
            }
        }
        theta = yy / sy
        factorization = LUFactorization(middle())
        if !factorization!.isRegular { reset() }
        return true
    }

    /// K = [[−D, Lᵀ], [L, θ·SᵀS]] in pair order (oldest first).
    private func middle() -> SmallMatrix {
        let k = count
        var matrix = SmallMatrix(order: 2 * k)
        for i in 0..<k {
            for j in 0..<k {
                let si = slot(i), sj = slot(j)
                if i == j { matrix[i, i] = -sty[si, si] }
                if i > j { matrix[k + i, j] = sty[si, sj]; matrix[j, k + i] = sty[si, sj] }  // L and Lᵀ
                matrix[k + i, k + j] = theta * sts[si, sj]
            }
        }
        return matrix
    }

    /// M·v (a solve with K). v: (2k).
    func applyM(_ v: [Double]) -> [Double] {
        guard count > 0 else { return [] }
        return factorization!.solve(v)
    }

    /// Row i of W: (y_1[i] … y_k[i], θ·s_1[i] … θ·s_k[i]), written into `row` (2k).
    func row(_ i: Int, into row: inout [Double]) {
        let k = count
        for j in 0..<k {
            let sl = slot(j)
            row[j] = y[sl * n + i]
            row[k + j] = theta * s[sl * n + i]
        }
    }

    /// Wᵀv over the indices where `mask` is true (all when nil). v: (n) → (2k).
    func transposeTimes(_ v: UnsafeBufferPointer<Double>, mask: [Bool]? = nil) -> [Double] {
        let k = count
        var out = [Double](repeating: 0, count: 2 * k)
        s.withUnsafeBufferPointer { sb in
            y.withUnsafeBufferPointer { yb in
                for j in 0..<k {
                    let base = slot(j) * n
                    var ys = 0.0, ss = 0.0
                    if let mask {
                        for i in 0..<n where mask[i] { ys += yb[base + i] * v[i]; ss += sb[base + i] * v[i] }
                    } else {
                        for i in 0..<n { ys += yb[base + i] * v[i]; ss += sb[base + i] * v[i] }
                    }
                    out[j] = ys
                    out[k + j] = theta * ss
                }
            }
        }
        return out
    }

    /// out[i] += scale · (W·u)[i] for the indices where `mask` is true. u: (2k).
    func addTimes(_ u: [Double], scale: Double, mask: [Bool], into out: UnsafeMutableBufferPointer<Double>) {
        let k = count
        s.withUnsafeBufferPointer { sb in
            y.withUnsafeBufferPointer { yb in
                for j in 0..<k {
                    let base = slot(j) * n
                    let cy = scale * u[j], cs = scale * theta * u[k + j]
                    for i in 0..<n where mask[i] { out[i] += cy * yb[base + i] + cs * sb[base + i] }
                }
            }
        }
    }

    /// Σ_{i: mask[i]} w_i·w_iᵀ = WᵀZZᵀW (2k × 2k), the free-variable Gram matrix of W.
    func maskedGram(mask: [Bool]) -> SmallMatrix {
        let k = count
        var gram = SmallMatrix(order: 2 * k)
        s.withUnsafeBufferPointer { sb in
            y.withUnsafeBufferPointer { yb in
                for a in 0..<(2 * k) {
                    let aBase = slot(a % k) * n, aS = a >= k
                    for b in a..<(2 * k) {
                        let bBase = slot(b % k) * n, bS = b >= k
                        let pa = aS ? sb : yb, pb = bS ? sb : yb
                        var sum = 0.0
                        for i in 0..<n where mask[i] { sum += pa[aBase + i] * pb[bBase + i] }
                        let scale = (aS ? theta : 1) * (bS ? theta : 1)
                        gram[a, b] = scale * sum
                        gram[b, a] = scale * sum
                    }
                }
            }
        }
        return gram
    }
}
