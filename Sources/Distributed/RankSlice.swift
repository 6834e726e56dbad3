// Deterministic work splits over ranks: contiguous blocks whose bounds depend only on
// (count, rank, size), so results gathered in rank order are in the 1-rank order.

public enum RankSlice {
    /// Rank `rank`'s block of `count` items split over `size` ranks: the first `count % size`
    /// ranks take one item more. Blocks are contiguous, ascending and cover 0..<count exactly.
    public static func block(count: Int, rank: Int, size: Int) -> Range<Int> {
        precondition(count >= 0 && size >= 1 && rank >= 0 && rank < size, "bad split \(count) over rank \(rank)/\(size)")
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// Rank `rank`'s block of whole chunks: the `count` items cut into chunks of `chunk` (the last
    /// maybe shorter), the chunks split by `block`. Every chunk lies on one rank, so per-chunk
    /// quantities (the gradient noise scale's small batches) are those of one process; a rank holds at
    /// most `chunk` − 1 items more than with `block`.
    public static func chunkBlock(count: Int, chunk: Int, rank: Int, size: Int) -> Range<Int> {
        precondition(chunk >= 1, "chunks hold at least one item")
        let chunks = block(count: (count + chunk - 1) / chunk, rank: rank, size: size)
        return min(count, chunks.lowerBound * chunk)..<min(count, chunks.upperBound * chunk)
    }

    /// The most items `chunkBlock` gives a rank for any count up to `maxCount` (a workspace's size).
    public static func largestChunkBlock(maxCount: Int, chunk: Int, size: Int) -> Int {
        let chunks = (maxCount + chunk - 1) / chunk
        return min(maxCount, ((chunks + size - 1) / size) * chunk)
    }
}
