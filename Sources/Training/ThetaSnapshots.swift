// θ after chosen epochs, for the PCA of a training trajectory (Li et al. 2018, section 7), bounded in
// size: every epoch at first; whenever more than `limit` are held, the interval doubles and the
// snapshots off the new grid go. So a run keeps at most `limit` snapshots, evenly spaced every 2^k
// epochs, and which ones depends only on the epoch count (a resumed run keeps the same ones).
// Reading them never touches the training arithmetic.
public struct ThetaSnapshots: Sendable, Equatable {
    /// Epochs (from 1) of the kept snapshots, ascending; every one a multiple of `every`.
    public private(set) var epochs: [Int] = []
    public private(set) var thetas: [[Float]] = []
    public private(set) var every = 1

    public init() {}

    public init(epochs: [Int], thetas: [[Float]], every: Int) {
        precondition(epochs.count == thetas.count && every >= 1, "one θ per snapshot epoch")
        self.epochs = epochs
        self.thetas = thetas
        self.every = every
    }

    public var count: Int { epochs.count }

    /// Offers θ after `epoch`; `limit` 0 keeps nothing.
    public mutating func record(epoch: Int, theta: [Float], limit: Int) {
        guard limit > 0, epoch % every == 0 else { return }
        epochs.append(epoch)
        thetas.append(theta)
        while epochs.count > limit {
            every *= 2
            let keep = epochs.indices.filter { epochs[$0] % every == 0 }
            epochs = keep.map { epochs[$0] }
            thetas = keep.map { thetas[$0] }
        }
    }
}
