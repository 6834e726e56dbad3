// The batch size in which the analyses evaluate a whole data set. A Network sums a set's losses and
// gradients batch by batch (`Network.evaluateDataset`), so this size fixes the order of the Float sums:
// changing it changes the bits of every grid, curve and sharpness object (bump those stages' code versions).

public enum EvaluationBatch {
    /// Images per forward (and backward) batch of the landscape grid, the 1-D interpolation and sharpness.
    public static let analysis = 256

    /// The network's workspace for a set of `count` images: batches of `analysis`, never larger than the set
    /// (a smaller workspace for a small set gives the same batches, so the same bits).
    public static func networkBatch(count: Int) -> Int { max(1, min(analysis, count)) }
}
