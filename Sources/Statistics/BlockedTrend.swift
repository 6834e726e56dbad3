// The tests behind the study's claims. A claim "larger batch → larger y" is a trend of y over
// log2(batch size) with replicates as blocks: y_rb = α_r + β·log2(B) + ε. Each replicate keeps its own
// intercept (its θ_init and data order), so the slope β is estimated from within-replicate
// differences only (the paired design), and all batch sizes count, not just the smallest and largest.
import Foundation

/// One measurement: the replicate (block) it belongs to, the regressor (e.g. log2 of the batch
/// size) and the measured value; `group` separates two families compared by `slopeDifference`.
public struct Observation: Equatable, Sendable {
    public var block: Int
    public var x: Double
    public var y: Double
    public var group: Int

    public init(block: Int, x: Double, y: Double, group: Int = 0) {
        self.block = block
        self.x = x
        self.y = y
        self.group = group
    }
}

public enum BlockedTrend {
    /// The common within-block slope β of y on x, with its t interval (df = n − blocks − 1).
    public static func slope(_ observations: [Observation], level: Double = 0.95) throws -> Interval {
        let blocks = blockIndex(observations)
        let design = observations.map { o -> [Double] in
            var row = [Double](repeating: 0, count: blocks.count + 1)
            row[blocks[o.block]!] = 1
            row[blocks.count] = o.x
            return row
        }
        return try LinearModel.fit(design: design, response: observations.map(\.y)).interval(blocks.count, level: level)
    }

    /// The slope of group 1 minus the slope of group 0, both within blocks: the model has block
    /// intercepts, a group shift, the group-0 slope and the interaction x·[group = 1].
    public static func slopeDifference(_ observations: [Observation], level: Double = 0.95) throws -> Interval {
        guard Set(observations.map(\.group)) == [0, 1] else {
            throw StatisticsError.shape("a slope difference needs observations in groups 0 and 1")
        }
        let blocks = blockIndex(observations)
        let design = observations.map { o -> [Double] in
            var row = [Double](repeating: 0, count: blocks.count + 3)
            let inGroup = o.group == 1 ? 1.0 : 0.0
            row[blocks[o.block]!] = 1
            row[blocks.count] = inGroup
            row[blocks.count + 1] = o.x
            row[blocks.count + 2] = o.x * inGroup
            return row
        }
        return try LinearModel.fit(design: design, response: observations.map(\.y)).interval(blocks.count + 2, level: level)
    }

    /// The mean of per-block differences (paired t interval, df = blocks − 1).
    public static func pairedDifference(_ pairs: [(first: Double, second: Double)], level: Double = 0.95) -> Interval {
        Sample.meanInterval(pairs.map { $0.second - $0.first }, level: level)
    }

    /// Column of each block's intercept, in order of first appearance.
    private static func blockIndex(_ observations: [Observation]) -> [Int: Int] {
        var index: [Int: Int] = [:]
        for o in observations where index[o.block] == nil { index[o.block] = index.count }
        return index
    }
}
