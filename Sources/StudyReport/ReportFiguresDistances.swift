// Figures of weight-space movement (spec F6–F8, F16): distance from θ_init in total and per layer,
// epoch distances and their small/large ratio, the distribution of update norms.
import Foundation
import Report

enum DistanceFigures {
    /// F6: ‖θ_min − θ_init‖ and ‖θ_final − θ_init‖ per batch size (mean ± 95 % CI over replicates, each
    /// replicate a dot); per layer, the mean over replicates, one line per batch size.
    static func fromInit(id: String, title: String, rows: [DistanceTable.Run], layers: [String]) -> Figure {
        guard !rows.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs at this learning rate") }
        var tsv = TSVBuilder()
        let atMin = rows.map { (batchSize: $0.batchSize, value: $0.distanceMin) }
        let t = tsv.block("distance at the minimum (" + ReplicateSummary.legend(atMin) + ")", columns: ReplicateSummary.columns,
                          rows: ReplicateSummary.rows(atMin))
        let f = tsv.block("distance at the end", columns: ReplicateSummary.columns,
                          rows: ReplicateSummary.rows(rows.map { (batchSize: $0.batchSize, value: $0.distanceFinal) }))
        let each = tsv.block("each replicate", columns: ["batch_size", "distance_min", "distance_final", "replicate"],
                             rows: rows.map { [Double($0.batchSize), $0.distanceMin, $0.distanceFinal, Double($0.replicate)] })
        var perLayer: [String] = []
        for (bs, group) in Dictionary(grouping: rows, by: \.batchSize).sorted(by: { $0.key < $1.key }) {
            let i = tsv.block("bs \(bs) per layer, mean over \(group.count) replicate(s)", columns: ["layer", "distance_min", "distance_final"],
                              rows: layers.indices.map { l in
                                  [Double(l), group.map { $0.layerDistanceMin[l] }.reduce(0, +) / Double(group.count),
                                   group.map { $0.layerDistanceFinal[l] }.reduce(0, +) / Double(group.count)]
                              })
            perLayer.append("DATA index \(i) using 1:2 with linespoints pt 7 ps 1.2 lw 2 \(Palette.lineColour(batchSize: bs)) title \"bs \(bs)\"")
        }
        let tics = layers.enumerated().map { "\"\($0.element)\" \($0.offset)" }.joined(separator: ", ")
        return Figure(id: id, title: title, width: 1100, height: 480, data: tsv.result, script: """
            set multiplot layout 1,2 title \(GnuplotText.quoted(title))
            \(TrainingFigures.batchAxis(rows.map(\.batchSize)))
            set ylabel "Euclidean distance from θ_{init}"; set yrange [0:*]; set key below height 1 nobox noopaque
            set title \(GnuplotText.quoted("all parameters: " + ReplicateSummary.legend(atMin)))
            plot DATA index \(t) using 1:2 with lines lw 1.5 lc rgb "#555555" title "at the minimum (θ_{min})", \\
                 DATA index \(t) using 1:2:3:4:6 with yerrorbars pt 7 ps 1.8 lw 2 lc rgb variable notitle, \\
                 DATA index \(f) using 1:2 with lines lw 1.5 dt 2 lc rgb "#555555" title "at the end (θ_{final})", \\
                 DATA index \(f) using 1:2:3:4:6 with yerrorbars pt 6 ps 1.8 lw 2 lc rgb variable notitle, \\
                 DATA index \(each) using 1:2 with points pt 7 ps 0.5 lc rgb "#888888" notitle, \\
                 DATA index \(each) using 1:3 with points pt 7 ps 0.5 lc rgb "#888888" notitle
            unset logscale x; set xrange [-0.5:\(Double(layers.count) - 0.5)]; set xtics (\(tics)); set xlabel "layer (weights and bias)"
            set title "per layer, at the minimum (mean over replicates)"; set key outside bottom center horizontal height 1 nobox noopaque
            plot \(perLayer.joined(separator: ", \\\n     "))
            """)
    }

    /// F7: epoch distance ‖θ_end(e) − θ_start(e)‖ per epoch, and the small/large batch ratio.
    static func epochDistance(id: String, title: String, rows: [DistanceTable.Run], table: DistanceTable) -> Figure {
        guard !rows.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs at this learning rate") }
        var tsv = TSVBuilder()
        var left: [String] = []
        // Replicate 1 drawn thick with the legend, every other replicate thin in the same colour.
        for row in rows.sorted(by: { ($0.replicate, $0.batchSize) < ($1.replicate, $1.batchSize) }) {
            let i = tsv.block("bs \(row.batchSize), replicate \(row.replicate)", columns: ["epoch", "epoch_distance"],
                              rows: row.epochDistance.indices.filter { row.epochDistance[$0].isFinite }.map { [Double($0 + 1), row.epochDistance[$0]] })
            let style = row.replicate == 1 ? "lw 2" : "lw 0.6"
            left.append("DATA index \(i) using 1:2 with lines \(style) \(Palette.lineColour(batchSize: row.batchSize)) "
                        + (row.replicate == 1 ? "title \"bs \(row.batchSize)\"" : "notitle"))
        }
        let name = "bs \(table.ratioSmallBatch) / bs \(table.ratioLargeBatch)"
        let r = tsv.block("ratio \(name) at lr \(Float(table.ratioLearningRate))", columns: ["epoch", "ratio"],
                          rows: table.ratio.indices.map { [Double($0 + 1), table.ratio[$0]] })
        let right = table.ratio.isEmpty
            ? GnuplotText.emptyPanel("not run: bs \(table.ratioSmallBatch) or bs \(table.ratioLargeBatch) missing at this lr")
            : "plot DATA index \(r) using 1:2 with lines lw 2 lc rgb \"black\" title \"\(name)\""
        return Figure(id: id, title: title, width: 1100, height: 480, data: tsv.result, script: """
            set multiplot layout 1,2 title \(GnuplotText.quoted(title))
            set xlabel "epoch"; set key below height 1 nobox noopaque
            set title "distance moved in each epoch (thin: other replicates)"
            set ylabel "‖θ_{end} − θ_{start}‖ per epoch"; set logscale y
            plot \(left.joined(separator: ", \\\n     "))
            unset logscale y
            set title "ratio of epoch distances"
            set ylabel \(GnuplotText.quoted(name)); set yrange [0:*]
            \(right)
            """)
    }

    /// F8: distribution of the norms of single updates, log-spaced bins (the mean fraction per bin over
    /// replicates); the mean of the replicates' medians as a vertical line, its 95 % interval in the legend.
    static func updateNorms(id: String, title: String, rows: [DistanceTable.Run], edges: [Double]) -> Figure {
        guard !rows.isEmpty, edges.count > 1 else { return .notRun(id: id, title: title, reason: "no training runs at this learning rate") }
        var tsv = TSVBuilder()
        var plots: [String] = []
        var arrows: [String] = []
        let centres = (0..<(edges.count - 1)).map { (edges[$0] * edges[$0 + 1]).squareRoot() }
        for (n, (bs, group)) in Dictionary(grouping: rows, by: \.batchSize).sorted(by: { $0.key < $1.key }).enumerated() {
            let median = ReplicateSummary.describe(group.map(\.updateMedian))
            let mean = group.map(\.updateMedian).reduce(0, +) / Double(group.count)
            let i = tsv.block("bs \(bs): median \(median)", columns: ["bin_centre", "bin_low", "bin_high", "fraction"],
                              rows: centres.indices.map { k in
                                  [centres[k], edges[k], edges[k + 1], group.map { $0.updateHistogram[k] }.reduce(0, +) / Double(group.count)]
                              })
            plots.append("DATA index \(i) using 1:4 with histeps lw 2 \(Palette.lineColour(batchSize: bs)) "
                         + "title \(GnuplotText.quoted("bs \(bs) (median \(median))"))")
            arrows.append("set arrow \(n + 1) from \(mean), graph 0 to \(mean), graph 1 nohead dt 2 lw 1.5 " + Palette.lineColour(batchSize: bs))
        }
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            set logscale x; set format x "10^{%T}"; set xrange [\(edges.first!):\(edges.last!)]
            set xlabel "update norm ‖Δθ‖ (log scale)"; set ylabel "fraction of updates per bin (mean over replicates)"; set yrange [0:*]
            set key below height 1 nobox noopaque
            \(arrows.joined(separator: "\n"))
            plot \(plots.joined(separator: ", \\\n     "))
            """)
    }

    /// F16: distance from θ_init at the minimum, fixed lr against the linear scaling rule (mean ± 95 % CI
    /// over replicates, each replicate a dot).
    static func withScaling(id: String, title: String, fixed: [DistanceTable.Run], scaled: [DistanceTable.Run], fixedName: String) -> Figure {
        guard !fixed.isEmpty || !scaled.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs") }
        var tsv = TSVBuilder()
        var plots: [String] = []
        for (n, (name, rows)) in [(fixedName, fixed), ("lr scaled with the batch size", scaled)].enumerated() where !rows.isEmpty {
            let values = rows.map { (batchSize: $0.batchSize, value: $0.distanceMin) }
            let i = tsv.block(name + " (" + ReplicateSummary.legend(values) + ")", columns: ReplicateSummary.columns,
                              rows: ReplicateSummary.rows(values))
            let j = tsv.block(name + ", each replicate", columns: ["batch_size", "distance_min", "lr", "replicate"],
                              rows: rows.map { [Double($0.batchSize), $0.distanceMin, decimalLR($0.learningRate), Double($0.replicate)] })
            plots.append("DATA index \(i) using 1:2 with lines lw 1.5 dt \(n + 1) lc rgb \"#555555\" "
                         + "title \(GnuplotText.quoted(name + ", " + ReplicateSummary.legend(values)))")
            plots.append("DATA index \(i) using 1:2:3:4:6 with yerrorbars pt \(n == 0 ? 7 : 5) ps 1.8 lw 2 lc rgb variable notitle")
            plots.append("DATA index \(j) using 1:2 with points pt 7 ps 0.5 lc rgb \"#888888\" notitle")
        }
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            \(TrainingFigures.batchAxis((fixed + scaled).map(\.batchSize)))
            set ylabel "‖θ_{min} − θ_{init}‖"; set yrange [0:*]; set key below height 1 nobox noopaque
            plot \(plots.joined(separator: ", \\\n     "))
            """)
    }
}
