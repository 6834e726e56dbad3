// The data-parallel gradient and evaluation of one MPI rank: every rank sees the whole global
// batch, computes the SUM gradient of its contiguous slice (RankSlice), and MPI_Allreduce sums the
// slices, so every rank holds the global batch's gradient and takes the same SGD step. A training
// slice is whole 8-image chunks (`RankSlice.chunkBlock`): the gradient noise scale's small batches are
// then the 1-process chunks at any rank count (with a slice cut mid-chunk, 2 ranks recorded other,
// equally unbiased, estimates: ParallelNoiseScaleTests). The validation set is split in plain blocks.
// Differs from one process only in float summation order.
import Distributed
import NN

public final class DataParallelGradient: BatchGradient, SetEvaluation {
    let network: Network
    let communicator: Communicator

    /// `maxBatch`: the largest global batch (or evaluation batch) of the run; a rank needs its share.
    public init(model: Model, maxBatch: Int, threads: Int, communicator: Communicator) {
        self.communicator = communicator
        let evaluationShare = (maxBatch + communicator.size - 1) / communicator.size
        let trainingShare = RankSlice.largestChunkBlock(maxCount: maxBatch, chunk: Network.chunkSize, size: communicator.size)
        network = Network(model: model, maxBatch: max(1, evaluationShare, trainingShare), threads: threads)
    }

    public func gradientSum(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                     labels: UnsafeBufferPointer<Float>, into: UnsafeMutableBufferPointer<Float>,
                     chunks: inout ChunkGradientNorms) -> BatchStats {
        let (x, y) = mySlice(images: images, labels: labels, wholeChunks: true)
        var local = BatchStats()
        // The small batches are this rank's fixed chunks (chunk partition of its slice), summed over ranks.
        var mine = ChunkGradientNorms()
        if y.isEmpty {
            into.update(repeating: 0)  // more ranks than examples in a short last batch
        } else {
            local = network.gradient(parameters: parameters, images: x, labels: y, gradient: into, chunks: &mine)
        }
        do {
            try communicator.allreduceSum(into)
            var values = [mine.meanSquaredNormSum, mine.inverseSizeSum, Double(mine.chunks)]
            try communicator.allreduceSum(&values)
            chunks = chunks + ChunkGradientNorms(chunks: Int(values[2]), meanSquaredNormSum: values[0], inverseSizeSum: values[1])
            return try total(local)
        } catch {
            // Mid-step the other ranks are inside the same collective: stop them all.
            communicator.abort("data-parallel gradient: \(error)")
        }
    }

    public func evaluateSet(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                     labels: UnsafeBufferPointer<Float>) -> BatchStats {
        let (x, y) = mySlice(images: images, labels: labels, wholeChunks: false)
        let local = y.isEmpty ? BatchStats() : network.evaluateSet(parameters: parameters, images: x, labels: y)
        do { return try total(local) } catch {
            communicator.abort("data-parallel evaluation: \(error)")
        }
    }

    /// This rank's block of a batch (of whole chunks for a gradient). images: (N, C, H, W) · labels: (N).
    private func mySlice(images: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Float>, wholeChunks: Bool)
        -> (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) {
        let n = labels.count, size = images.count / max(n, 1)
        let mine = wholeChunks
            ? RankSlice.chunkBlock(count: n, chunk: Network.chunkSize, rank: communicator.rank, size: communicator.size)
            : RankSlice.block(count: n, rank: communicator.rank, size: communicator.size)
        return (UnsafeBufferPointer(rebasing: images[(mine.lowerBound * size)..<(mine.upperBound * size)]),
                UnsafeBufferPointer(rebasing: labels[mine]))
    }

    /// The stats of the whole batch: loss sums and counts summed over ranks (counts exactly, as Doubles).
    private func total(_ local: BatchStats) throws -> BatchStats {
        var values = [local.lossSum, Double(local.correct), Double(local.count)]
        try communicator.allreduceSum(&values)
        return BatchStats(lossSum: values[0], correct: Int(values[1]), count: Int(values[2]))
    }
}
