// Figures of weight-space movement (spec F6–F8, F16): distance from θ_init in total and per layer,
// epoch distances and their small/large ratio, the distribution of update norms.
import Foundation
import Report

enum DistanceFigures {
    /// F6: ‖θ_min − θ_init‖ and ‖θ_final − θ_init‖ per batch size; per layer, one line per batch size.
    static func fromInit(id: String, title: String, rows: [DistanceTable.Run], layers: [String]) -> Figure {
        guard !rows.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs at this learning rate") }
        var tsv = TSVBuilder()
        let t = tsv.block("total distance", columns: ["batch_size", "distance_min", "distance_final", "rgb"],
                          rows: rows.map { [Double($0.batchSize), $0.distanceMin, $0.distanceFinal, Palette.rgb(batchSize: $0.batchSize)] })
        var perLayer: [String] = []
        for row in rows {
            let i = tsv.block("bs \(row.batchSize) per layer", columns: ["layer", "distance_min", "distance_final"],
                              rows: row.layerDistanceMin.indices.map { [Double($0), row.layerDistanceMin[$0], row.layerDistanceFinal[$0]] })
            perLayer.append("DATA index \(i) using 1:2 with linespoints pt 7 ps 1.2 lw 2 \(Palette.lineColour(batchSize: row.batchSize)) title \"bs \(row.batchSize)\"")
        }
        let tics = layers.enumerated().map { "\"\($0.element)\" \($0.offset)" }.joined(separator: ", ")
        return Figure(id: id, title: title, width: 1100, height: 480, data: tsv.result, script: """
            set multiplot layout 1,2 title \(GnuplotText.quoted(title))
            \(TrainingFigures.batchAxis(rows.map(\.batchSize)))
            set ylabel "Euclidean distance from θ_{init}"; set yrange [0:*]; set key below height 1 nobox noopaque
            set title "all parameters"
            plot DATA index \(t) using 1:2 with lines lw 1.5 lc rgb "#555555" title "at the minimum (θ_{min})", \\
                 DATA index \(t) using 1:2:4 with points pt 7 ps 1.8 lc rgb variable notitle, \\
                 DATA index \(t) using 1:3 with lines lw 1.5 dt 2 lc rgb "#555555" title "at the end (θ_{final})", \\
                 DATA index \(t) using 1:3:4 with points pt 6 ps 1.8 lw 2 lc rgb variable notitle
            unset logscale x; set xrange [-0.5:\(Double(layers.count) - 0.5)]; set xtics (\(tics)); set xlabel "layer (weights and bias)"
            set title "per layer, at the minimum"; set key outside bottom center horizontal height 1 nobox noopaque
            plot \(perLayer.joined(separator: ", \\\n     "))
            """)
    }

    /// F7: epoch distance ‖θ_end(e) − θ_start(e)‖ per epoch, and the small/large batch ratio.
    static func epochDistance(id: String, title: String, rows: [DistanceTable.Run], table: DistanceTable) -> Figure {
        guard !rows.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs at this learning rate") }
        var tsv = TSVBuilder()
        var left: [String] = []
        for row in rows {
            let i = tsv.block("bs \(row.batchSize)", columns: ["epoch", "epoch_distance"],
                              rows: row.epochDistance.indices.map { [Double($0 + 1), row.epochDistance[$0]] })
            left.append("DATA index \(i) using 1:2 with lines lw 2 \(Palette.lineColour(batchSize: row.batchSize)) title \"bs \(row.batchSize)\"")
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
            set title "distance moved in each epoch"
            set ylabel "‖θ_{end} − θ_{start}‖ per epoch"; set logscale y
            plot \(left.joined(separator: ", \\\n     "))
            unset logscale y
            set title "ratio of epoch distances"
            set ylabel \(GnuplotText.quoted(name)); set yrange [0:*]
            \(right)
            """)
    }

    /// F8: distribution of the norms of single updates, log-spaced bins, medians as vertical lines.
    static func updateNorms(id: String, title: String, rows: [DistanceTable.Run], edges: [Double]) -> Figure {
        guard !rows.isEmpty, edges.count > 1 else { return .notRun(id: id, title: title, reason: "no training runs at this learning rate") }
        var tsv = TSVBuilder()
        var plots: [String] = []
        var arrows: [String] = []
        for (n, row) in rows.enumerated() {
            let centres = (0..<(edges.count - 1)).map { (edges[$0] * edges[$0 + 1]).squareRoot() }
            let i = tsv.block("bs \(row.batchSize): median \(row.updateMedian), q1 \(row.updateQ1), q3 \(row.updateQ3)",
                              columns: ["bin_centre", "bin_low", "bin_high", "fraction"],
                              rows: centres.indices.map { [centres[$0], edges[$0], edges[$0 + 1], row.updateHistogram[$0]] })
            plots.append("DATA index \(i) using 1:4 with histeps lw 2 \(Palette.lineColour(batchSize: row.batchSize)) "
                         + "title \"bs \(row.batchSize) (median \(GnuplotText.short(row.updateMedian)))\"")
            arrows.append("set arrow \(n + 1) from \(row.updateMedian), graph 0 to \(row.updateMedian), graph 1 nohead dt 2 lw 1.5 "
                          + Palette.lineColour(batchSize: row.batchSize))
        }
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            set logscale x; set format x "10^{%T}"; set xrange [\(edges.first!):\(edges.last!)]
            set xlabel "update norm ‖Δθ‖ (log scale)"; set ylabel "fraction of updates per bin"; set yrange [0:*]
            set key below height 1 nobox noopaque
            \(arrows.joined(separator: "\n"))
            plot \(plots.joined(separator: ", \\\n     "))
            """)
    }

    /// F16: distance from θ_init at the minimum, fixed lr against the linear scaling rule.
    static func withScaling(id: String, title: String, fixed: [DistanceTable.Run], scaled: [DistanceTable.Run], fixedName: String) -> Figure {
        guard !fixed.isEmpty || !scaled.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs") }
        var tsv = TSVBuilder()
        var plots: [String] = []
        for (n, (name, rows)) in [(fixedName, fixed), ("lr scaled with the batch size", scaled)].enumerated() where !rows.isEmpty {
            let i = tsv.block(name, columns: ["batch_size", "distance_min", "lr", "rgb"],
                              rows: rows.map { [Double($0.batchSize), $0.distanceMin, decimalLR($0.learningRate), Palette.rgb(batchSize: $0.batchSize)] })
            plots.append("DATA index \(i) using 1:2 with lines lw 1.5 dt \(n + 1) lc rgb \"#555555\" title \(GnuplotText.quoted(name))")
            plots.append("DATA index \(i) using 1:2:4 with points pt \(n == 0 ? 7 : 5) ps 1.8 lc rgb variable notitle")
        }
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            \(TrainingFigures.batchAxis((fixed + scaled).map(\.batchSize)))
            set ylabel "‖θ_{min} − θ_{init}‖"; set yrange [0:*]; set key below height 1 nobox noopaque
            plot \(plots.joined(separator: ", \\\n     "))
            """)
    }
}
