// Figures of the training runs (spec F1, F2, F12, F13, F17): losses per epoch, minima, learning-rate
// sweep (the timing figures F3–F5, F14 are in ReportFiguresTiming.swift). One builder per figure; each returns the gnuplot script and its TSV.
import Foundation
import Report

enum TrainingFigures {
    static let lossLabel = "loss (binary cross-entropy)"

    /// F1 / F12: training and validation loss per epoch, one colour per batch size: replicate 1 thick
    /// (with the legend), every other replicate thin; each run's minimum as a dot.
    static func lossCurves(id: String, title: String, runs: [ReportRun]) -> Figure {
        guard !runs.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs of this family in the pipeline") }
        var tsv = TSVBuilder()
        var train: [String] = [], validation: [String] = []
        for run in runs.sorted(by: { ($0.replicate, $0.batchSize) < ($1.replicate, $1.batchSize) }) {
            let i = tsv.block("\(run.label), lr \(Float(run.learningRate)), replicate \(run.replicate)",
                              columns: ["epoch", "train_loss", "val_loss", "val_accuracy"],
                              rows: run.valLoss.indices.map { [Double($0 + 1), run.trainLoss[$0], run.valLoss[$0], run.valAccuracy[$0]] })
            let first = run.replicate == 1
            let style = "with lines lw \(first ? 2 : 0.6) \(Palette.lineColour(batchSize: run.batchSize))"
            train.append("DATA index \(i) using 1:2 \(style) " + (first ? "title \"\(run.label), lr \(Float(run.learningRate))\"" : "notitle"))
            validation.append("DATA index \(i) using 1:3 \(style) " + (first ? "title \"\(run.label)\"" : "notitle"))
        }
        let minima = tsv.block("minimum validation loss per run", columns: ["epoch_min", "min_val_loss", "rgb", "replicate"],
                               rows: runs.map { [Double($0.epochMin), $0.minValLoss, Palette.rgb(batchSize: $0.batchSize), Double($0.replicate)] })
        validation.append("DATA index \(minima) using 1:2:3 with points pt 7 ps 1.1 lc rgb variable title \"minimum\"")
        let replicates = Set(runs.map(\.replicate)).count
        let note = replicates > 1 ? " (thin: replicates 2–\(replicates))" : ""
        return Figure(id: id, title: title, width: 1100, height: 480, data: tsv.result, script: """
            set multiplot layout 1,2 title \(GnuplotText.quoted(title))
            set xlabel "epoch"; set ylabel \(GnuplotText.quoted(lossLabel)); set key top right
            set title \(GnuplotText.quoted("training" + note))
            plot \(train.joined(separator: ", \\\n     "))
            set title \(GnuplotText.quoted("validation" + note))
            plot \(validation.joined(separator: ", \\\n     "))
            """)
    }

    /// x tics at the batch sizes present, on a log2 axis.
    static func batchAxis(_ sizes: [Int]) -> String {
        let tics = Set(sizes).sorted().map { "\"\($0)\" \($0)" }.joined(separator: ", ")
        let lo = Double(sizes.min() ?? 16) / 1.4, hi = Double(sizes.max() ?? 512) * 1.4
        return "set logscale x 2; set xrange [\(lo):\(hi)]; set xtics (\(tics)); set xlabel \"batch size (images)\""
    }

    /// F2 / F13: minimum losses per batch size: the mean over replicates with its 95 % interval (error
    /// bars), each replicate as a small dot, the original's values as squares.
    static func minima(id: String, title: String, series: [(name: String, runs: [ReportRun], value: (ReportRun) -> Double, dash: Int)],
                       original: [(Int, Double)], originalLabel: String) -> Figure {
        let all = series.flatMap(\.runs)
        guard !all.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs of this family in the pipeline") }
        var tsv = TSVBuilder()
        var plots: [String] = []
        for s in series where !s.runs.isEmpty {
            let values = s.runs.map { (batchSize: $0.batchSize, value: s.value($0)) }
            let i = tsv.block(s.name + " (" + ReplicateSummary.legend(values) + ")", columns: ReplicateSummary.columns,
                              rows: ReplicateSummary.rows(values))
            let j = tsv.block(s.name + ", each replicate", columns: ["batch_size", "loss", "replicate"],
                              rows: s.runs.map { [Double($0.batchSize), s.value($0), Double($0.replicate)] })
            plots.append("DATA index \(i) using 1:2 with lines lw 1.5 dt \(s.dash) lc rgb \"#555555\" "
                         + "title \(GnuplotText.quoted(s.name + ", " + ReplicateSummary.legend(values)))")
            plots.append("DATA index \(i) using 1:2:3:4:6 with yerrorbars pt 7 ps 1.8 lw 2 lc rgb variable notitle")
            plots.append("DATA index \(j) using 1:2 with points pt 7 ps 0.5 lc rgb \"#888888\" notitle")
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
