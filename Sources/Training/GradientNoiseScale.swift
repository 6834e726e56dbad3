// The simple gradient noise scale B_simple = tr(Σ)/|G|² (McCandlish, Kaplan, Amodei et al. 2018,
// "An Empirical Model of Large-Batch Training", appendix A.1), estimated during training from two
// batch sizes the training step already has: the Network's fixed 8-image chunks (small) and the
// whole mini-batch (big). Recorded per epoch in the checkpoint; reading it never touches θ.
import NN

/// The unbiased two-batch-size estimates of one batch. For a batch of B examples whose chunks have
/// mean gradients g_c (harmonic-mean size b), with |G_b|² the chunks' mean of |g_c|² and |G_B|² that
/// of the batch's mean gradient:
///   |G|²  ≈ (B·|G_B|² − b·|G_b|²) / (B − b),      tr(Σ) ≈ (|G_b|² − |G_B|²) / (1/b − 1/B).
/// These are unbiased when examples are drawn independently. SGD draws each batch WITHOUT
/// replacement from a training set of N examples; then E|G_b|² = |G|² + tr(S)(1/b − 1/N) with S the
/// per-example covariance (N − 1 denominator), so tr(Σ) above is unbiased for tr(S) and |G|² is
/// low by tr(S)/N: `population: N` adds that back (nil: independent draws, no correction).
public struct NoiseScaleEstimate: Sendable, Equatable {
    public var gradientSquared: Double
    public var trace: Double

    /// nil when the batch has fewer than two chunks (the two sizes coincide).
    public init?(batchMeanSquaredNorm big: Double, batchSize: Int, chunks: ChunkGradientNorms, population: Int?) {
        guard chunks.chunks >= 2, let small = chunks.meanSquaredNorm, let b = chunks.effectiveSize else { return nil }
        let bigB = Double(batchSize)
        guard bigB > b else { return nil }
        trace = (small - big) / (1 / b - 1 / bigB)
        gradientSquared = (bigB * big - b * small) / (bigB - b)
        if let population { gradientSquared += trace / Double(population) }
    }

    public init(gradientSquared: Double, trace: Double) {
        self.gradientSquared = gradientSquared
        self.trace = trace
    }
}

/// One epoch's window: the plain mean of its batches' |G|² and tr(Σ) estimates, divided only at the
/// end (the paper averages numerator and denominator separately; a ratio per batch would be biased
/// and undefined whenever a batch's |G|² estimate is ≤ 0).
public struct NoiseScaleEpoch: Sendable, Equatable {
    public var gradientSquared: Double
    public var trace: Double
    /// Batches that gave an estimate (those with at least two chunks).
    public var batches: Int

    public init(gradientSquared: Double, trace: Double, batches: Int) {
        self.gradientSquared = gradientSquared
        self.trace = trace
        self.batches = batches
    }

    /// B_simple = tr(Σ)/|G|²; NaN when no batch gave an estimate or the |G|² estimate is not positive.
    public var bSimple: Double { batches > 0 && gradientSquared > 0 ? trace / gradientSquared : .nan }

    /// Several epochs' windows as one: |G|² and tr(Σ) weighted by their batch counts, summed in order,
    /// then divided (nil when no epoch gave an estimate).
    public static func pooled<S: Sequence>(_ windows: S) -> NoiseScaleEpoch? where S.Element == NoiseScaleEpoch {
        var g = 0.0, t = 0.0, n = 0
        for e in windows where e.batches > 0 {
            g += e.gradientSquared * Double(e.batches)
            t += e.trace * Double(e.batches)
            n += e.batches
        }
        return n > 0 ? NoiseScaleEpoch(gradientSquared: g / Double(n), trace: t / Double(n), batches: n) : nil
    }
}

/// Accumulates the estimates of one epoch's batches, in batch order.
public struct NoiseScaleWindow: Sendable {
    private var gradientSquaredSum = 0.0, traceSum = 0.0, batches = 0

    public init() {}

    public mutating func add(_ estimate: NoiseScaleEstimate?) {
        guard let estimate else { return }
        gradientSquaredSum += estimate.gradientSquared
        traceSum += estimate.trace
        batches += 1
    }

    public var epoch: NoiseScaleEpoch {
        batches == 0 ? NoiseScaleEpoch(gradientSquared: .nan, trace: .nan, batches: 0)
            : NoiseScaleEpoch(gradientSquared: gradientSquaredSum / Double(batches), trace: traceSum / Double(batches),
                              batches: batches)
    }
}

/// |g/B|² in Double for a SUM gradient g of a batch of B examples.
func meanSquaredNorm(sumGradient g: UnsafeBufferPointer<Float>, count: Int) -> Double {
    var s = 0.0
    for v in g { s += Double(v) * Double(v) }
    return s / (Double(count) * Double(count))
}
