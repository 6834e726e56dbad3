// One number per configuration, over replicates: the mean and its 95 % t interval per batch size, as
// the figures draw them (error bars), with the single replicates beside them.
import Report
import Statistics

enum ReplicateSummary {
    /// Rows `batch_size, mean, lower, upper, replicates, rgb` by batch size; with one replicate the
    /// interval collapses onto the mean (no interval exists, and the caption says how many replicates).
    static func rows(_ values: [(batchSize: Int, value: Double)]) -> [[Double]] {
        Dictionary(grouping: values.filter { $0.value.isFinite }, by: \.batchSize).sorted { $0.key < $1.key }.map { bs, group in
            let m = Sample.meanInterval(group.map(\.value))
            return [Double(bs), m.estimate, m.lower ?? m.estimate, m.upper ?? m.estimate, Double(group.count),
                    Palette.rgb(batchSize: bs)]
        }
    }

    static let columns = ["batch_size", "mean", "ci95_lower", "ci95_upper", "replicates", "rgb"]

    /// "mean ± 95 % CI over 3 replicates", or "one replicate: no interval"; with unequal counts per batch
    /// size (pipelines/study-extended.yaml: 15 at lr 0.01, 5 elsewhere) each batch size's n.
    static func legend(_ values: [(batchSize: Int, value: Double)]) -> String {
        let counts = Dictionary(grouping: values.filter { $0.value.isFinite }, by: \.batchSize).mapValues(\.count)
        let n = counts.values.max() ?? 0
        guard Set(counts.values).count > 1 else { return n > 1 ? "mean and 95 % CI over \(n) replicates" : "one replicate: no interval" }
        return "mean and 95 % CI over n replicates: "
            + counts.sorted { $0.key < $1.key }.map { "bs \($0.key) n = \($0.value)" }.joined(separator: ", ")
    }

    /// "0.0123 [0.0101, 0.0145]" (mean and 95 % CI), or the single value when there is one replicate.
    static func describe(_ values: [Double]) -> String {
        let m = Sample.meanInterval(values)
        return GnuplotText.short(m.estimate) + (m.lower.map { " [\(GnuplotText.short($0)), \(GnuplotText.short(m.upper!))]" } ?? "")
    }
}
