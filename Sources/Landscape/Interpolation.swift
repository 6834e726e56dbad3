// Keskar et al.'s 1-D interpolation (spec S6, F9): loss and accuracy at θ(α) = α·θ_large + (1−α)·θ_small,
// independent of stages and files. One Network and one parameter buffer serve every α.
import NN

public struct InterpolationCurve: Sendable, Equatable {
    public var alpha: [Double]
    public var train: [BatchStats]
    public var validation: [BatchStats]
}

public enum LinearInterpolation {
    /// `count` evenly spaced values from `min` to `max` (both included); min + (max − min)·k/(count − 1),
    /// so that 0 and 1 are hit exactly on the default grid [−1, 2] × 31.
    public static func grid(min: Double, max: Double, count: Int) -> [Double] {
        precondition(count >= 2, "an interpolation grid needs at least 2 points")
        return (0..<count).map { min + (max - min) * Double($0) / Double(count - 1) }
    }

    /// Evaluates train and validation sets at θ(α) for every α (θ in Float, mixed in Double).
    /// small, large: (P) · progress is called after each α with its index.
    public static func evaluate(small: [Float], large: [Float], alphas: [Double], train: TrainingData,
                                validation: TrainingData, network: Network,
                                progress: (Int, BatchStats, BatchStats) -> Void = { _, _, _ in }) throws -> InterpolationCurve {
        precondition(small.count == large.count && small.count == network.model.layout.count, "θ sizes differ from the model")
        var theta = [Float](repeating: 0, count: small.count)
        var curve = InterpolationCurve(alpha: alphas, train: [], validation: [])
        for (k, alpha) in alphas.enumerated() {
            for i in theta.indices { theta[i] = Float(alpha * Double(large[i]) + (1 - alpha) * Double(small[i])) }
            let (t, v) = try theta.withUnsafeBufferPointer { parameters in
                (try train.withBuffers { try network.evaluateDataset(parameters: parameters, images: $0, labels: $1) },
                 try validation.withBuffers { try network.evaluateDataset(parameters: parameters, images: $0, labels: $1) })
            }
            curve.train.append(t)
            curve.validation.append(v)
            progress(k, t, v)
        }
        return curve
    }
}
