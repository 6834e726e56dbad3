// Claim 8's measure: how the gradient noise scale B_simple moves with the training loss once training
// has left its initial plateau. On the plateau (the loss near ln 2, the logits near 0) |G|² is tiny,
// B_simple is in the hundreds and many windows have no ratio (|G|² ≤ 0); McCandlish et al.'s
// observation ("B_simple grows as the loss falls") is about training after it. Over the whole run
// the plateau's few high points decide the slope's sign, so the claim is tested on the windows after it.
import Foundation

enum NoiseScaleTrend {
    /// The part of the loss's fall (from the first window to the lowest) that counts as leaving the
    /// plateau: the windows until the loss has covered a quarter of it are left out. Decided from the
    /// loss alone, never from B_simple: starting at B_simple's minimum would make any noisy series look
    /// like growth (its first kept point would be its lowest by construction).
    static let plateauFraction = 0.25
    /// Fewer windows after the plateau give no slope.
    static let minimumWindows = 3

    static let rule = "windows after the initial plateau: from the first \(BeyondFigures.pooledEpochs)-epoch window whose mean "
        + "training loss has fallen by a quarter of the way from the first window's loss (the plateau, ≈ ln 2) to the run's "
        + "lowest window, and with a ratio (|G|² > 0)"

    /// A run's windows after its plateau and the slope of log2 B_simple on the training loss over them.
    struct Segment {
        /// The plateau's loss (the first window's mean) and the loss that ends it.
        var plateauLoss: Double, exitLoss: Double
        /// The first epoch of the first window after the plateau.
        var firstEpoch: Int
        var windows: [BeyondFigures.NoiseWindow]
        /// Least-squares slope of log2 B_simple per unit of training loss (nil: < `minimumWindows` windows).
        var slope: Double?
    }

    /// The windows' mean training losses (window k: epochs k·P+1 … (k+1)·P), the same windows as F18's.
    static func windowLosses(_ trainLoss: [Double]) -> [Double] {
        let p = BeyondFigures.pooledEpochs
        return stride(from: p, through: trainLoss.count, by: p).map { end in trainLoss[(end - p)..<end].reduce(0, +) / Double(p) }
    }

    /// The index of the first window after the plateau (nil: the loss never falls below the first window's).
    static func exitWindow(_ losses: [Double]) -> Int? {
        guard let first = losses.first, let lowest = losses.min(), first > lowest else { return nil }
        let threshold = first - plateauFraction * (first - lowest)
        return losses.firstIndex { $0 <= threshold }
    }

    /// Claim 8's segment of a run (nil: no window after a plateau, e.g. the loss never fell).
    static func segment(_ run: ReportRun) -> Segment? {
        let losses = windowLosses(run.trainLoss)
        guard let exit = exitWindow(losses) else { return nil }
        let firstEpoch = exit * BeyondFigures.pooledEpochs + 1
        let kept = BeyondFigures.noiseWindows(run).filter { Int($0.epoch) >= firstEpoch + BeyondFigures.pooledEpochs - 1 }
        return Segment(plateauLoss: losses[0], exitLoss: losses[exit], firstEpoch: firstEpoch, windows: kept,
                       slope: kept.count >= minimumWindows ? slope(kept) : nil)
    }

    /// The least-squares slope of log2 B_simple on the training loss (nil: < 2 distinct losses).
    static func slope(_ windows: [BeyondFigures.NoiseWindow]) -> Double? {
        let xs = windows.map(\.trainLoss), ys = windows.map { log2($0.bSimple) }
        guard !xs.isEmpty else { return nil }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        guard sxx > 0 else { return nil }
        return zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / sxx
    }
}
