// Figures of the training runs (spec F1–F5, F12–F14, F17): losses per epoch, minima, epochs and wall
// times, learning-rate sweep. One builder per figure; each returns the gnuplot script and its TSV.
import Foundation
import Report

enum TrainingFigures {
    static let lossLabel = "loss (binary cross-entropy)"

    /// F1 / F12: training and validation loss per epoch, one curve per batch size.
    static func lossCurves(id: String, title: String, runs: [ReportRun]) -> Figure {
        guard !runs.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs of this family in the pipeline") }
        var tsv = TSVBuilder()
        var train: [String] = [], validation: [String] = []
        for run in runs {
            let i = tsv.block("\(run.label), lr \(Float(run.learningRate))", columns: ["epoch", "train_loss", "val_loss", "val_accuracy"],
                              rows: run.valLoss.indices.map { [Double($0 + 1), run.trainLoss[$0], run.valLoss[$0], run.valAccuracy[$0]] })
            let style = "with lines lw 2 \(Palette.lineColour(batchSize: run.batchSize))"
            train.append("DATA index \(i) using 1:2 \(style) title \"\(run.label), lr \(Float(run.learningRate))\"")
            validation.append("DATA index \(i) using 1:3 \(style) title \"\(run.label)\"")
        }
        let minima = tsv.block("minimum validation loss per run", columns: ["epoch_min", "min_val_loss", "rgb"],
                               rows: runs.map { [Double($0.epochMin), $0.minValLoss, Palette.rgb(batchSize: $0.batchSize)] })
        validation.append("DATA index \(minima) using 1:2:3 with points pt 7 ps 1.3 lc rgb variable title \"minimum\"")
        return Figure(id: id, title: title, width: 1100, height: 480, data: tsv.result, script: """
            set multiplot layout 1,2 title \(GnuplotText.quoted(title))
            set xlabel "epoch"; set ylabel \(GnuplotText.quoted(lossLabel)); set key top right
            set title "training"
            plot \(train.joined(separator: ", \\\n     "))
            set title "validation"
            plot \(validation.joined(separator: ", \\\n     "))
            """)
    }

    /// x tics at the batch sizes present, on a log2 axis.
    static func batchAxis(_ sizes: [Int]) -> String {
        let tics = Set(sizes).sorted().map { "\"\($0)\" \($0)" }.joined(separator: ", ")
        let lo = Double(sizes.min() ?? 16) / 1.4, hi = Double(sizes.max() ?? 512) * 1.4
        return "set logscale x 2; set xrange [\(lo):\(hi)]; set xtics (\(tics)); set xlabel \"batch size (images)\""
    }

    /// F2 / F13: minimum losses per batch size, this run's points coloured by batch size, the original's as squares.
    static func minima(id: String, title: String, series: [(name: String, runs: [ReportRun], value: (ReportRun) -> Double, dash: Int)],
                       original: [(Int, Double)], originalLabel: String) -> Figure {
        let all = series.flatMap(\.runs)
        guard !all.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs of this family in the pipeline") }
        var tsv = TSVBuilder()
        var plots: [String] = []
        for s in series where !s.runs.isEmpty {
            let i = tsv.block(s.name, columns: ["batch_size", "loss", "rgb"],
                              rows: s.runs.map { [Double($0.batchSize), s.value($0), Palette.rgb(batchSize: $0.batchSize)] })
            plots.append("DATA index \(i) using 1:2 with lines lw 1.5 dt \(s.dash) lc rgb \"#555555\" title \(GnuplotText.quoted(s.name))")
            plots.append("DATA index \(i) using 1:2:3 with points pt 7 ps 1.8 lc rgb variable notitle")
        }
        if !original.isEmpty {
            let i = tsv.block(originalLabel, columns: ["batch_size", "loss"], rows: original.map { [Double($0.0), $0.1] })
            plots.append("DATA index \(i) using 1:2 with points pt 4 ps 1.8 lw 2 lc rgb \"black\" title \(GnuplotText.quoted(originalLabel))")
        }
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            \(batchAxis(all.map(\.batchSize)))
            set ylabel \(GnuplotText.quoted("minimum " + lossLabel)); set key below height 1 nobox noopaque
            plot \(plots.joined(separator: ", \\\n     "))
            """)
    }

    /// F3: seconds per epoch per batch size (bars: fastest and slowest epoch), from the run index.
    static func secondsPerEpoch(id: String, title: String, runs: [ReportRun]) -> Figure {
        let timed = runs.filter { $0.timing != nil }
        guard !timed.isEmpty else {
            return .notRun(id: id, title: title, reason: "no wall times in the run index for these checkpoints")
        }
        var tsv = TSVBuilder()
        let i = tsv.block("seconds per epoch (index measurements)", columns: ["batch_size", "mean", "min", "max", "rgb", "run"],
                          rows: timed.map { r in
                              let t = r.timing!, e = t.epochSeconds.isEmpty ? [t.secondsPerEpoch] : t.epochSeconds
                              return [Double(r.batchSize), t.secondsPerEpoch, e.min()!, e.max()!,
                                      Palette.rgb(batchSize: r.batchSize), Double(t.run)]
                          })
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            \(batchAxis(timed.map(\.batchSize)))
            set ylabel "seconds per epoch (s)"; set yrange [0:*]; set key below height 1 nobox noopaque
            plot DATA index \(i) using 1:2:3:4:5 with yerrorbars pt 7 ps 1.8 lw 2 lc rgb variable title "mean (bars: fastest, slowest epoch)"
            """)
    }

    /// F4 / F14: epochs to the minimum validation loss, and wall time to it and in total.
    static func epochsAndTime(id: String, title: String, runs: [ReportRun]) -> Figure {
        guard !runs.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs of this family in the pipeline") }
        var tsv = TSVBuilder()
        let e = tsv.block("epochs", columns: ["batch_size", "epoch_min", "epochs_run", "rgb", "hit_epoch_cap"],
                          rows: runs.map { [Double($0.batchSize), Double($0.epochMin), Double($0.epochsRun),
                                            Palette.rgb(batchSize: $0.batchSize), $0.hitCap ? 1 : 0] })
        let timed = runs.filter { $0.timing != nil }
        let t = tsv.block("seconds (index measurements)", columns: ["batch_size", "seconds_to_min", "seconds_total", "rgb", "run"],
                          rows: timed.map { [Double($0.batchSize), $0.timing!.secondsToMin, $0.timing!.secondsTotal,
                                             Palette.rgb(batchSize: $0.batchSize), Double($0.timing!.run)] })
        let timePlot = timed.isEmpty
            ? GnuplotText.emptyPanel("not run: no wall times in the run index")
            : """
              plot DATA index \(t) using 1:3 with lines lw 1.5 dt 2 lc rgb "#555555" title "total", \\
                   DATA index \(t) using 1:3:4 with points pt 6 ps 1.8 lw 2 lc rgb variable notitle, \\
                   DATA index \(t) using 1:2 with lines lw 1.5 lc rgb "#555555" title "to the minimum", \\
                   DATA index \(t) using 1:2:4 with points pt 7 ps 1.8 lc rgb variable notitle
              """
        return Figure(id: id, title: title, width: 1100, height: 480, data: tsv.result, script: """
            set multiplot layout 1,2 title \(GnuplotText.quoted(title))
            \(batchAxis(runs.map(\.batchSize)))
            set yrange [0:*]; set key below height 1 nobox noopaque
            set title "epochs (filled: to the minimum; open: run)"
            set ylabel "epochs"
            plot DATA index \(e) using 1:3 with lines lw 1.5 dt 2 lc rgb "#555555" title "epochs run", \\
                 DATA index \(e) using 1:3:4 with points pt 6 ps 1.8 lw 2 lc rgb variable notitle, \\
                 DATA index \(e) using 1:2 with lines lw 1.5 lc rgb "#555555" title "epoch of the minimum", \\
                 DATA index \(e) using 1:2:4 with points pt 7 ps 1.8 lc rgb variable notitle
            set title "wall time (run index)"
            set ylabel "seconds (s)"
            \(timePlot)
            """)
    }

    /// F5: seconds per epoch with 1 and with several data-parallel workers.
    static func dataParallel(id: String, title: String, single: [ReportRun], parallel: [ReportRun]) -> Figure {
        let timedParallel = parallel.filter { $0.timing != nil }
        guard !timedParallel.isEmpty else {
            return .notRun(id: id, title: title,
                           reason: parallel.isEmpty ? "no data-parallel training runs (workers > 1) in this pipeline"
                                                    : "the data-parallel runs have no wall times in the run index")
        }
        let sizes = Set(timedParallel.map(\.batchSize))
        var tsv = TSVBuilder()
        var plots: [String] = []
        let groups = Dictionary(grouping: single.filter { $0.timing != nil && sizes.contains($0.batchSize) } + timedParallel, by: \.workers)
        for (n, (workers, runs)) in groups.sorted(by: { $0.key < $1.key }).enumerated() {
            let sorted = runs.sorted { $0.batchSize < $1.batchSize }
            let i = tsv.block("\(workers) worker(s)", columns: ["batch_size", "seconds_per_epoch", "rgb", "run"],
                              rows: sorted.map { [Double($0.batchSize), $0.timing!.secondsPerEpoch, Palette.rgb(batchSize: $0.batchSize),
                                                  Double($0.timing!.run)] })
            plots.append("DATA index \(i) using 1:2 with lines lw 1.5 dt \(n + 1) lc rgb \"#555555\" title \"\(workers) worker\(workers > 1 ? "s" : "")\"")
            plots.append("DATA index \(i) using 1:2:3 with points pt \(n == 0 ? 7 : 5) ps 1.8 lc rgb variable notitle")
        }
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            \(batchAxis(Array(sizes)))
            set ylabel "seconds per epoch (s)"; set yrange [0:*]; set key below height 1 nobox noopaque
            plot \(plots.joined(separator: ", \\\n     "))
            """)
    }

    /// F17: minimum validation loss against the learning rate, one line per batch size; and per batch size at one lr.
    static func learningRateSweep(id: String, title: String, runs: [ReportRun], at lr: Double) -> Figure {
        let sizes = Set(runs.map(\.batchSize)).sorted()
        let multi = sizes.filter { bs in Set(runs.filter { $0.batchSize == bs }.map(\.learningRate)).count > 1 }
        guard !multi.isEmpty else { return .notRun(id: id, title: title, reason: "no batch size was trained at more than one learning rate") }
        var tsv = TSVBuilder()
        var left: [String] = []
        for bs in multi {
            let rs = runs.filter { $0.batchSize == bs }.sorted { $0.learningRate < $1.learningRate }
            let i = tsv.block("bs \(bs)", columns: ["lr", "min_val_loss"], rows: rs.map { [decimalLR($0.learningRate), $0.minValLoss] })
            left.append("DATA index \(i) using 1:2 with linespoints pt 7 ps 1.5 lw 2 \(Palette.lineColour(batchSize: bs)) title \"bs \(bs)\"")
        }
        let atLR = runs.filter { ReportData.same($0.learningRate, lr) }.sorted { $0.batchSize < $1.batchSize }
        let j = tsv.block("lr \(Float(lr))", columns: ["batch_size", "min_val_loss", "rgb"],
                          rows: atLR.map { [Double($0.batchSize), $0.minValLoss, Palette.rgb(batchSize: $0.batchSize)] })
        let lrs = Set(runs.map { Float($0.learningRate) }).sorted().map { "\"\($0)\" \($0)" }.joined(separator: ", ")
        let right = atLR.isEmpty ? GnuplotText.emptyPanel("not run: no run at lr \(Float(lr))") : """
            plot DATA index \(j) using 1:2 with lines lw 1.5 lc rgb "#555555" notitle, \\
                 DATA index \(j) using 1:2:3 with points pt 7 ps 1.8 lc rgb variable notitle
            """
        return Figure(id: id, title: title, width: 1100, height: 480, data: tsv.result, script: """
            set multiplot layout 1,2 title \(GnuplotText.quoted(title))
            set ylabel \(GnuplotText.quoted("minimum validation " + lossLabel))
            set title "across learning rates"; set key below height 1 nobox noopaque
            set logscale x 2; set xtics (\(lrs)); set xlabel "learning rate"
            set xrange [\((runs.map(\.learningRate).min() ?? 0.01) / 1.3):\((runs.map(\.learningRate).max() ?? 0.08) * 1.3)]
            plot \(left.joined(separator: ", \\\n     "))
            unset logscale x; set xtics autofreq
            set title "at lr \(Float(lr))"; unset key
            \(batchAxis(atLR.map(\.batchSize)))
            \(right)
            """)
    }
}
