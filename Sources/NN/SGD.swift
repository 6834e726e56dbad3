// Plain SGD (no momentum, no weight decay) that also measures the size of the step it takes.

public enum SGD {
    /// θ ← θ − (lr / count) · g, where g is the SUM of per-example gradients over `count` examples
    /// (so the step is lr × the mean gradient). Returns ‖Δθ‖₂ of the applied update Δ = −(lr/count)·g,
    /// accumulated in Double in the same pass over memory.
    @discardableResult
    public static func step(parameters: UnsafeMutableBufferPointer<Float>, gradientSum: UnsafeBufferPointer<Float>,
                            count: Int, learningRate: Float) -> Double {
        precondition(parameters.count == gradientSum.count, "SGD: parameters \(parameters.count) vs gradient \(gradientSum.count)")
        precondition(count > 0, "SGD: a step needs at least one example")
        let scale = learningRate / Float(count)
        var norm2 = 0.0
        for i in 0..<parameters.count {
            let delta = -scale * gradientSum[i]
            parameters[i] += delta
            norm2 += Double(delta) * Double(delta)
        }
        return norm2.squareRoot()
    }

    /// Convenience over arrays.
    @discardableResult
    public static func step(parameters: inout [Float], gradientSum: [Float], count: Int, learningRate: Float) -> Double {
        parameters.withUnsafeMutableBufferPointer { p in
            gradientSum.withUnsafeBufferPointer { g in step(parameters: p, gradientSum: g, count: count, learningRate: learningRate) }
        }
    }
}
