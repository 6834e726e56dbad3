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
}
