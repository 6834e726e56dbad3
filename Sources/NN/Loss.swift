// Binary cross-entropy from the logit, in the numerically stable form; the sigmoid only for
// probabilities and accuracy.
#if canImport(Glibc)
import Glibc
#endif

public enum BCEWithLogits {
    /// ℓ(z, y) = max(z, 0) − z·y + log(1 + e^(−|z|)), in Double.
    @inline(__always)
    public static func loss(logit z: Float, label y: Float) -> Double {
        let zd = Double(z), yd = Double(y)
        return max(zd, 0) - zd * yd + log1p(exp(-abs(zd)))
    }

    /// σ(z) without overflow for either sign.
    @inline(__always)
    public static func sigmoid(_ z: Float) -> Float {
        if z >= 0 { return 1 / (1 + expf(-z)) }
        let e = expf(z)
        return e / (1 + e)
    }

    /// Sum of losses and number of correct predictions (P(dog) > 0.5 ⇔ z > 0) over a batch, and,
    /// when `dLogits` is given, ∂ℓᵢ/∂zᵢ = σ(zᵢ) − yᵢ per example (the gradient of the SUM, not the mean).
    /// logits, labels: (N) · dLogits: (N), overwritten.
    public static func evaluate(logits: UnsafePointer<Float>, labels: UnsafePointer<Float>, count n: Int,
                                dLogits: UnsafeMutablePointer<Float>?) -> BatchStats {
        var sum = 0.0
        var correct = 0
        for i in 0..<n {
            sum += loss(logit: logits[i], label: labels[i])
            if (logits[i] > 0) == (labels[i] > 0.5) { correct += 1 }
            dLogits?[i] = sigmoid(logits[i]) - labels[i]
        }
        return BatchStats(lossSum: sum, correct: correct, count: n)
    }
}

/// Loss and accuracy counts over some examples; sums, so results of sub-batches (chunks, MPI
/// ranks, evaluation batches) combine with `+`.
public struct BatchStats: Hashable, Sendable {
    public var lossSum: Double
    public var correct: Int
    public var count: Int

    public init(lossSum: Double = 0, correct: Int = 0, count: Int = 0) {
        self.lossSum = lossSum
        self.correct = correct
        self.count = count
    }

    public var meanLoss: Double { count == 0 ? .nan : lossSum / Double(count) }
    public var accuracy: Double { count == 0 ? .nan : Double(correct) / Double(count) }

    public static func + (a: BatchStats, b: BatchStats) -> BatchStats {
        BatchStats(lossSum: a.lossSum + b.lossSum, correct: a.correct + b.correct, count: a.count + b.count)
    }
}
