// Summary statistics of the distances stage: quartiles (linear interpolation between order
// statistics, NumPy's default) and a histogram over log-spaced bins (update norms span decades).
import Foundation

public enum RunStatistics {
    /// The q-quantile (0 ≤ q ≤ 1) of `values`, interpolating linearly between order statistics; NaN if empty.
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        quantile(sorted: values.sorted(), q)
    }

    public static func quantile(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        let fraction = position - Double(low)
        return sorted[low] + fraction * (sorted[high] - sorted[low])
    }

    /// `bins` + 1 edges spaced evenly in log10 from `low` to `high` (both > 0).
    public static func logEdges(low: Double, high: Double, bins: Int) -> [Double] {
        precondition(low > 0 && high >= low && bins > 0, "log bins need 0 < low ≤ high and bins > 0")
        let a = log10(low), b = log10(high == low ? low * 10 : high)
        return (0...bins).map { pow(10, a + (b - a) * Double($0) / Double(bins)) }
    }

    /// The fraction of `values` in each bin [edge i, edge i+1) (the last bin includes its upper edge);
    /// values outside the edges are not counted.
    public static func histogram(_ values: [Double], edges: [Double]) -> [Double] {
        let bins = edges.count - 1
        var counts = [Double](repeating: 0, count: bins)
        let logEdges = edges.map(log10)
        let a = logEdges[0], width = (logEdges[bins] - a) / Double(bins)
        for v in values where v >= edges[0] && v <= edges[bins] && v > 0 {
            let i = min(bins - 1, max(0, Int(((log10(v) - a) / width).rounded(.down))))
            counts[i] += 1
        }
        let n = Double(max(values.count, 1))
        return counts.map { $0 / n }
    }
}
