// L-BFGS-B: minimises a smooth f over a box l ≤ x ≤ u with a limited-memory BFGS model
// (Byrd, Lu, Nocedal, Zhu 1995). Each iteration: generalised Cauchy point along the projected
// gradient path (CauchyPoint), subspace minimisation over the free variables (SubspaceMinimization),
// then a line search along x̄ − x_k (LineSearch). The one deliberate difference from the Fortran code:
// that search backtracks to Armijo decrease and expands while the slope stays steep, instead of the
// Moré–Thuente strong-Wolfe search, and a pair is stored only if its step met the Wolfe curvature
// condition (sᵀy ≥ 0.1·|gᵀs|) rather than the search enforcing it.
// Memory and time are O(m·n) per iteration; there is no n × n matrix.

/// When to stop, besides the iteration cap.
public struct LBFGSBTolerances: Sendable, Hashable {
    /// Stop when ‖P(x − g) − x‖∞ ≤ this (scipy's `pgtol`).
    public var projectedGradient: Double
    /// Stop when (f_k − f_{k+1}) ≤ this · max(|f_k|, |f_{k+1}|, 1) (scipy's `factr · ε`).
    public var relativeReduction: Double
    /// Cap on calls of `evaluate`, line-search trials included.
    public var maxEvaluations: Int
    /// Trials per line search before the iteration counts as failed.
    public var maxLineSearchSteps: Int

    public init(projectedGradient: Double = 1e-5, relativeReduction: Double = 1e7 * Double.ulpOfOne,
                maxEvaluations: Int = 15_000, maxLineSearchSteps: Int = 20) {
        self.projectedGradient = projectedGradient
        self.relativeReduction = relativeReduction
        self.maxEvaluations = maxEvaluations
        self.maxLineSearchSteps = maxLineSearchSteps
    }
}

/// Why `minimize` returned.
public enum LBFGSBStopReason: String, Sendable, CaseIterable {
    case projectedGradient = "projected_gradient"
    case relativeReduction = "relative_reduction"
    case maxIterations = "max_iterations"
    case maxEvaluations = "max_evaluations"
    /// No sufficient decrease even along the projected steepest-descent path.
    case lineSearchFailed = "line_search_failed"
    /// f or ∇f was not finite at the starting point.
    case nonFinite = "non_finite"
}

/// One row of the trace: the state after `iteration` accepted steps (row 0 is the start).
public struct LBFGSBIterate: Sendable, Hashable {
    public var iteration: Int
    public var f: Double
    /// ‖P(x − g) − x‖∞.
    public var projectedGradientNorm: Double
    /// Line-search step λ along x̄ − x (0 for the start; > 1 after an expansion).
    public var step: Double
    /// ‖x_k − x_{k−1}‖∞ (0 for the start).
    public var stepNorm: Double
    /// Calls of `evaluate` so far.
    public var evaluations: Int
}

public struct LBFGSBResult: Sendable {
    public var x: [Double]
    public var f: Double
    public var gradient: [Double]
    public var iterations: Int
    public var evaluations: Int
    public var stopReason: LBFGSBStopReason
    public var trace: [LBFGSBIterate]
    public var projectedGradientNorm: Double { trace.last?.projectedGradientNorm ?? .nan }
}

public enum LBFGSB {
    /// Writes ∇f(x) into `gradient` (n) and returns f(x). Both are read as given: no copy of x is kept.
    public typealias Evaluate = (_ x: UnsafeBufferPointer<Double>, _ gradient: UnsafeMutableBufferPointer<Double>) throws -> Double

    /// Minimises f over the box [lower, upper] (±infinity allowed) from x0 (projected into the box
    /// first), keeping `memory` correction pairs. Deterministic: the same inputs give the same bits.
    public static func minimize(x0: [Double], lower: [Double], upper: [Double], memory: Int = 10, maxIterations: Int = 100,
                                tolerances: LBFGSBTolerances = LBFGSBTolerances(), evaluate: Evaluate) rethrows -> LBFGSBResult {
        let n = x0.count
        precondition(n > 0 && lower.count == n && upper.count == n, "x0, lower and upper need the same positive length")
        precondition(zip(lower, upper).allSatisfy { $0 <= $1 }, "every lower bound must be ≤ its upper bound")
        precondition(memory >= 1 && maxIterations >= 0, "memory ≥ 1 and maxIterations ≥ 0")
        var x = (0..<n).map { min(max(x0[$0], lower[$0]), upper[$0]) }
        var g = [Double](repeating: 0, count: n)
        var evaluations = 1
        var f = try call(evaluate, x, &g)
        var trace = [LBFGSBIterate(iteration: 0, f: f, projectedGradientNorm: projectedGradientNorm(x, g, lower, upper),
                                   step: 0, stepNorm: 0, evaluations: 1)]
        func result(_ reason: LBFGSBStopReason) -> LBFGSBResult {
            LBFGSBResult(x: x, f: f, gradient: g, iterations: trace.count - 1, evaluations: evaluations,
                         stopReason: reason, trace: trace)
        }
        guard f.isFinite, g.allSatisfy(\.isFinite) else { return result(.nonFinite) }
        if trace[0].projectedGradientNorm <= tolerances.projectedGradient { return result(.projectedGradient) }

        var model = LimitedMemory(n: n, capacity: memory)
        var xTrial = [Double](repeating: 0, count: n), gTrial = [Double](repeating: 0, count: n)
        var spareX = xTrial, spareG = gTrial
        let search = LineSearch(lower: lower, upper: upper, tolerances: tolerances)
        var iteration = 0
        while iteration < maxIterations {
            let cauchy = CauchyPoint.compute(x: x, g: g, lower: lower, upper: upper, memory: model)
            let xBar = SubspaceMinimization.step(x: x, g: g, lower: lower, upper: upper, cauchy: cauchy, memory: model)
            var direction = (0..<n).map { xBar[$0] - x[$0] }
            let slope = dot(g, direction)
            if !(slope < 0) {
                // The model's step does not descend (stale curvature): restart from the gradient path.
                guard model.count > 0 else { return result(.lineSearchFailed) }
                model.reset()
                continue
            }
            let outcome = try search.run(x: x, f: f, g: g, slope: slope, direction: direction, xTrial: &xTrial, gTrial: &gTrial,
                                         spareX: &spareX, spareG: &spareG, evaluations: &evaluations, evaluate: evaluate)
            switch outcome.status {
            case .outOfEvaluations: return result(.maxEvaluations)
            case .failed:
                guard model.count > 0 else { return result(.lineSearchFailed) }
                model.reset()
                continue
            case .accepted: break
            }
            let lambda = outcome.lambda, fTrial = outcome.f
            var stepNorm = 0.0
            for i in 0..<n {
                direction[i] = xTrial[i] - x[i]           // s = x_{k+1} − x_k
                stepNorm = max(stepNorm, abs(direction[i]))
                gTrial[i] -= g[i]                          // y = g_{k+1} − g_k, undone below
            }
            // Keep the pair only where the step met the Wolfe curvature condition, sᵀy ≥ (1 − 0.9)·|g_kᵀs|:
            // what the Fortran code's Moré–Thuente search guarantees for the pairs it stores.
            let minimumCurvature = (1 - LineSearch.curvature) * lambda * abs(slope)
            direction.withUnsafeBufferPointer { s in
                gTrial.withUnsafeBufferPointer { y in _ = model.update(step: s, gradientChange: y, minimumCurvature: minimumCurvature) }
            }
            for i in 0..<n { gTrial[i] += g[i] }
            let fOld = f
            swap(&x, &xTrial)
            swap(&g, &gTrial)
            f = fTrial
            iteration += 1
            trace.append(LBFGSBIterate(iteration: iteration, f: f, projectedGradientNorm: projectedGradientNorm(x, g, lower, upper),
                                       step: lambda, stepNorm: stepNorm, evaluations: evaluations))
            if trace.last!.projectedGradientNorm <= tolerances.projectedGradient { return result(.projectedGradient) }
            if fOld - f <= tolerances.relativeReduction * max(abs(fOld), abs(f), 1) { return result(.relativeReduction) }
        }
        return result(.maxIterations)
    }

    /// Convenience form for small problems: `evaluate` returns (f, ∇f) as a value.
    public static func minimize(x0: [Double], lower: [Double], upper: [Double], memory: Int = 10, maxIterations: Int = 100,
                                tolerances: LBFGSBTolerances = LBFGSBTolerances(),
                                function: ([Double]) throws -> (Double, [Double])) rethrows -> LBFGSBResult {
        try minimize(x0: x0, lower: lower, upper: upper, memory: memory, maxIterations: maxIterations,
                     tolerances: tolerances) { x, gradient in
            let (f, g) = try function(Array(x))
            precondition(g.count == gradient.count, "the gradient has \(g.count) entries for \(gradient.count) variables")
            for i in g.indices { gradient[i] = g[i] }
            return f
        }
    }

    /// ‖P(x − g) − x‖∞ with P the projection onto the box: zero exactly at a KKT point.
    public static func projectedGradientNorm(_ x: [Double], _ g: [Double], _ lower: [Double], _ upper: [Double]) -> Double {
        var norm = 0.0
        for i in x.indices { norm = max(norm, abs(min(max(x[i] - g[i], lower[i]), upper[i]) - x[i])) }
        return norm
    }

    static func call(_ evaluate: Evaluate, _ x: [Double], _ g: inout [Double]) rethrows -> Double {
        try x.withUnsafeBufferPointer { xb in try g.withUnsafeMutableBufferPointer { try evaluate(xb, $0) } }
    }
}
