// Figures of the minimizers' geometry (spec F9–F11, F15): the 1-D interpolation between the small-
// and large-batch minimizers, sharpness per batch size, filter-normalised 2-D contour plots.
import Foundation
import Report

enum GeometryFigures {
    /// F9: training and validation loss along θ(α) = α·θ_large + (1−α)·θ_small: solid between minimizers
    /// that share θ_init, dashed (when given) between minimizers of different replicates.
    static func interpolation(id: String, title: String, curve: InterpolationTable?, across: InterpolationTable? = nil) -> Figure {
        guard let c = curve ?? across else {
            return .notRun(id: id, title: title, reason: "the interpolate stage is not in this pipeline")
        }
        var tsv = TSVBuilder()
        var plots: [String] = []
        for (name, table, dash) in [("same θ_init", curve, 1), ("different θ_init", across, 2)] {
            guard let t = table else { continue }
            let i = tsv.block("\(name): bs \(t.smallBatchSize) (α = 0) to bs \(t.largeBatchSize) (α = 1)",
                              columns: ["alpha", "train_loss", "val_loss", "train_accuracy", "val_accuracy"],
                              rows: t.alpha.indices.map { [t.alpha[$0], t.trainLoss[$0], t.valLoss[$0], t.trainAccuracy[$0], t.valAccuracy[$0]] })
            plots.append("DATA index \(i) using 1:2 with lines lw 2 dt \(dash) lc rgb \"black\" title \"training, \(name)\"")
            plots.append("DATA index \(i) using 1:3 with lines lw 2 dt \(dash) lc rgb \"#888888\" title \"validation, \(name)\"")
        }
        let small = Palette.lineColour(batchSize: c.smallBatchSize), large = Palette.lineColour(batchSize: c.largeBatchSize)
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            set xlabel "α (0: bs \(c.smallBatchSize) minimizer, 1: bs \(c.largeBatchSize) minimizer)"
            set ylabel \(GnuplotText.quoted(TrainingFigures.lossLabel + ", log scale")); set logscale y; set key below height 1 nobox noopaque
            set arrow 1 from 0, graph 0 to 0, graph 1 nohead lw 2 dt 3 \(small)
            set arrow 2 from 1, graph 0 to 1, graph 1 nohead lw 2 dt 3 \(large)
            plot \(plots.joined(separator: ", \\\n     "))
            """)
    }

    /// F10 / F15: sharpness φ (ε near 1e-3) per batch size, one series per family.
    static func sharpness(id: String, title: String, series: [(name: String, results: [SharpnessResult])], epsilon: Double) -> Figure {
        let all = series.flatMap(\.results)
        guard !all.isEmpty else { return .notRun(id: id, title: title, reason: "the sharpness stage is not in this pipeline") }
        var tsv = TSVBuilder()
        var plots: [String] = []
        var used = epsilon
        for (n, s) in series.enumerated() where !s.results.isEmpty {
            let measured = s.results.sorted { ($0.batchSize, $0.replicate) < ($1.batchSize, $1.replicate) }.compactMap { r -> [Double]? in
                guard let p = r.phi(near: epsilon) else { return nil }
                used = p.epsilon
                return [Double(r.batchSize), p.phi, decimalLR(r.learningRate), p.epsilon, Double(r.replicate)]
            }
            let values = measured.map { (batchSize: Int($0[0]), value: $0[1]) }
            let i = tsv.block(s.name + " (" + ReplicateSummary.legend(values) + ")", columns: ReplicateSummary.columns,
                              rows: ReplicateSummary.rows(values))
            let j = tsv.block(s.name + ", each replicate", columns: ["batch_size", "phi_percent", "lr", "epsilon", "replicate"], rows: measured)
            plots.append("DATA index \(i) using 1:2 with lines lw 1.5 dt \(n + 1) lc rgb \"#555555\" "
                         + "title \(GnuplotText.quoted(s.name + ", " + ReplicateSummary.legend(values)))")
            plots.append("DATA index \(i) using 1:2:3:4:6 with yerrorbars pt \(n == 0 ? 7 : 5) ps 1.8 lw 2 lc rgb variable notitle")
            plots.append("DATA index \(j) using 1:2 with points pt 7 ps 0.5 lc rgb \"#888888\" notitle")
        }
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            \(TrainingFigures.batchAxis(all.map(\.batchSize)))
            set ylabel "sharpness φ (% of 1 + f(x)), ε = \(GnuplotText.short(used))"; set yrange [0:*]; set key below height 1 nobox noopaque
            plot \(plots.joined(separator: ", \\\n     "))
            """)
    }

    /// F11: filter-normalised loss surfaces as contour plots with labelled levels (the same levels in
    /// every panel, so the spacing of the lines compares the curvature), over a heat map of the loss.
    static func contours(id: String, title: String, grids: [LandscapeGrid]) -> Figure {
        guard !grids.isEmpty else { return .notRun(id: id, title: title, reason: "the landscape stage is not in this pipeline") }
        let sorted = grids.sorted { ($0.batchSize, $0.learningRate) < ($1.batchSize, $1.learningRate) }
        let losses = sorted.flatMap(\.trainLoss).filter(\.isFinite)
        let lo = losses.min() ?? 0, hi = losses.max() ?? 1
        let levels = contourLevels(low: lo, high: hi)
        var tsv = TSVBuilder()
        var panels: [String] = []
        let origin = tsv.block("the minimizer (a = b = 0)", columns: ["a", "b"], rows: [[0, 0]])
        for grid in sorted {
            let ny = grid.y.count
            let i = tsv.gridBlock("bs \(grid.batchSize), lr \(Float(grid.learningRate))", columns: ["a", "b", "train_loss", "train_accuracy"],
                                  groups: grid.x.indices.map { xi in
                                      grid.y.indices.map { yj in [grid.x[xi], grid.y[yj], grid.trainLoss[xi * ny + yj], grid.trainAccuracy[xi * ny + yj]] }
                                  })
            let colour = Palette.lineColour(batchSize: grid.batchSize)
            panels.append("""
                set title "bs \(grid.batchSize), lr \(Float(grid.learningRate))" textcolor rgb "\(Palette.colour(batchSize: grid.batchSize))"
                set xrange [\(grid.x.min() ?? -1):\(grid.x.max() ?? 1)]; set yrange [\(grid.y.min() ?? -1):\(grid.y.max() ?? 1)]
                set table $C\(i)
                splot DATA index \(i) using 1:2:3 with lines
                unset table
                plot DATA index \(i) using 1:2:3 with image notitle, \\
                     $C\(i) using 1:2 with lines lw 1.5 lc rgb "black" notitle, \\
                     $C\(i) using 1:2:(sprintf("%.3g", $3)) every 25 with labels boxed font ",9" textcolor rgb "black" notitle, \\
                     DATA index \(origin) using 1:2 with points pt 2 ps 2 lw 3 \(colour) title "minimizer"
                """)
        }
        return Figure(id: id, title: title, width: 540 * sorted.count + 60, height: 540, data: tsv.result, script: """
            set multiplot layout 1,\(sorted.count) title \(GnuplotText.quoted(title))
            set view map; set contour base; unset surface
            set cntrparam levels discrete \(levels.map(GnuplotText.short).joined(separator: ","))
            set xlabel "a (filter-normalised direction δ)"; set ylabel "b (filter-normalised direction η)"
            set size ratio -1; set key bottom right; set style textbox opaque noborder
            set cbrange [\(lo):\(levels.last ?? hi)]; set cblabel "training loss"
            set palette defined (0 "#f7fbff", 1 "#c6dbef", 2 "#6baed6", 3 "#2171b5", 4 "#08306b")
            \(panels.joined(separator: "\n"))
            """)
    }

    /// Levels above the lowest loss at geometric steps (0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, …), up to the highest.
    /// Never empty (gnuplot rejects `set cntrparam levels discrete` without a value): a plane flatter than
    /// 0.02 (a short run still on its plateau, e.g. the photo pipeline's CLI test) gets its quarters, a
    /// constant one a level it never reaches (no line).
    static func contourLevels(low: Double, high: Double) -> [Double] {
        var levels: [Double] = []
        var step = 0.02
        while low + step <= high, levels.count < 12 {
            levels.append(low + step)
            let mantissa = step / pow(10, floor(log10(step)))
            step *= mantissa > 1.5 && mantissa < 3 ? 2.5 : 2   // 1 → 2 → 5 → 10
        }
        guard levels.isEmpty else { return levels }
        return high > low ? (1...3).map { low + Double($0) * (high - low) / 4 } : [low + step]
    }
}
