// The timing figures (spec F3, F4, F5, F14), from the `timing` objects: seconds per epoch measured by a
// stage that ran alone, repeated (median, spread, every round). Times to the minimum are the article's
// product: epochs to the minimum (per replicate) × the isolated median seconds per epoch.
import Foundation
import Report

enum TimingFigures {
    static let noTiming = "no timing stage in this pipeline (seconds per epoch are measured by the exclusive `timing` stage)"

    /// F3: median seconds per epoch per batch size, bars from the fastest to the slowest round, every round a dot.
    static func secondsPerEpoch(id: String, title: String, timing: TimingTable?, sizes: [Int]) -> Figure {
        guard let timing, !sizes.compactMap(timing.samples).isEmpty else { return .notRun(id: id, title: title, reason: noTiming) }
        let measured = sizes.filter { timing.samples(batchSize: $0) != nil }
        var tsv = TSVBuilder()
        let i = tsv.block("seconds per epoch: \(timing.setup)", columns: ["batch_size", "median", "min", "max", "q1", "q3", "rgb"],
                          rows: measured.map { bs in
                              let s = timing.samples(batchSize: bs)!, q = TimingTable.quartiles(s)
                              return [Double(bs), q.median, s.min()!, s.max()!, q.q1, q.q3, Palette.rgb(batchSize: bs)]
                          })
        let j = tsv.block("every timed round", columns: ["batch_size", "seconds", "round"],
                          rows: measured.flatMap { bs in timing.samples(batchSize: bs)!.enumerated().map { [Double(bs), $0.element, Double($0.offset + 1)] } })
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            \(TrainingFigures.batchAxis(measured))
            set ylabel "seconds per epoch (s)"; set yrange [0:*]; set key below height 1 nobox noopaque
            plot DATA index \(i) using 1:2 with lines lw 1.5 lc rgb "#555555" title \(GnuplotText.quoted("median of \(timing.repeats) rounds (bars: fastest, slowest)")), \\
                 DATA index \(i) using 1:2:3:4:7 with yerrorbars pt 7 ps 1.8 lw 2 lc rgb variable notitle, \\
                 DATA index \(j) using 1:2 with points pt 7 ps 0.5 lc rgb "#888888" title "each round"
            """)
    }

    /// F4 / F14: epochs to the minimum and run (mean ± 95 % CI over replicates), and the time to the
    /// minimum and in total: epochs × the isolated median seconds per epoch of the run's batch size.
    static func epochsAndTime(id: String, title: String, runs: [ReportRun], timing: TimingTable?) -> Figure {
        guard !runs.isEmpty else { return .notRun(id: id, title: title, reason: "no training runs of this family in the pipeline") }
        var tsv = TSVBuilder()
        func summary(_ name: String, _ value: (ReportRun) -> Double?) -> (block: Int, legend: String) {
            let values = runs.compactMap { r in value(r).map { (batchSize: r.batchSize, value: $0) } }
            return (tsv.block(name + " (" + ReplicateSummary.legend(values) + ")", columns: ReplicateSummary.columns,
                              rows: ReplicateSummary.rows(values)), ReplicateSummary.legend(values))
        }
        let toMin = summary("epoch of the minimum", { Double($0.epochMin) })
        let run = summary("epochs run", { Double($0.epochsRun) })
        let each = tsv.block("each run", columns: ["batch_size", "epoch_min", "epochs_run", "replicate", "hit_epoch_cap"],
                             rows: runs.map { [Double($0.batchSize), Double($0.epochMin), Double($0.epochsRun), Double($0.replicate),
                                               $0.hitCap ? 1 : 0] })
        func pair(_ a: (block: Int, legend: String), _ b: (block: Int, legend: String), _ eachColumns: (Int, Int)?,
                  _ names: (String, String)) -> String {
            var plots = [
                "DATA index \(a.block) using 1:2 with lines lw 1.5 lc rgb \"#555555\" title \(GnuplotText.quoted(names.0 + ", " + a.legend))",
                "DATA index \(a.block) using 1:2:3:4:6 with yerrorbars pt 7 ps 1.8 lw 2 lc rgb variable notitle",
                "DATA index \(b.block) using 1:2 with lines lw 1.5 dt 2 lc rgb \"#555555\" title \(GnuplotText.quoted(names.1))",
                "DATA index \(b.block) using 1:2:3:4:6 with yerrorbars pt 6 ps 1.8 lw 2 lc rgb variable notitle",
            ]
            if case let (x, y)? = eachColumns {
                plots.append("DATA index \(each) using 1:\(x) with points pt 7 ps 0.5 lc rgb \"#888888\" notitle")
                plots.append("DATA index \(each) using 1:\(y) with points pt 7 ps 0.5 lc rgb \"#888888\" notitle")
            }
            return "plot " + plots.joined(separator: ", \\\n     ")
        }
        let epochs = pair(toMin, run, (2, 3), ("to the minimum", "run"))
        var timePlot = GnuplotText.emptyPanel("not run: " + noTiming)
        var timeTitle = "seconds"
        if let timing, runs.contains(where: { timing.median(batchSize: $0.batchSize) != nil }) {
            let secondsToMin = summary("seconds to the minimum = epoch of the minimum × median s/epoch",
                                       { r in timing.median(batchSize: r.batchSize).map { Double(r.epochMin) * $0 } })
            let secondsTotal = summary("seconds in total = epochs run × median s/epoch",
                                       { r in timing.median(batchSize: r.batchSize).map { Double(r.epochsRun) * $0 } })
            timePlot = pair(secondsToMin, secondsTotal, nil, ("to the minimum", "in total"))
            timeTitle = "epochs × isolated s/epoch (\(timing.workers) worker, \(timing.threads) thread)"
        }
        return Figure(id: id, title: title, width: 1100, height: 480, data: tsv.result, script: """
            set multiplot layout 1,2 title \(GnuplotText.quoted(title))
            \(TrainingFigures.batchAxis(runs.map(\.batchSize)))
            set yrange [0:*]; set key below height 1 nobox noopaque
            set title "epochs (filled: to the minimum; open: run)"
            set ylabel "epochs"
            \(epochs)
            set title \(GnuplotText.quoted(timeTitle))
            set ylabel "seconds (s)"
            \(timePlot)
            """)
    }

    /// F5: median seconds per epoch with 1 and with more data-parallel workers (bars: fastest, slowest round).
    static func dataParallel(id: String, title: String, timings: [TimingTable]) -> Figure {
        guard timings.contains(where: { $0.workers > 1 }) else {
            return .notRun(id: id, title: title, reason: timings.isEmpty ? noTiming : "no timing with workers > 1 in this pipeline")
        }
        var tsv = TSVBuilder()
        var plots: [String] = []
        for (n, timing) in timings.enumerated() {
            let i = tsv.block("\(timing.setup)", columns: ["batch_size", "median", "min", "max", "rgb"],
                              rows: timing.batchSizes.sorted().map { bs in
                                  let s = timing.samples(batchSize: bs)!
                                  return [Double(bs), TimingTable.quartiles(s).median, s.min()!, s.max()!, Palette.rgb(batchSize: bs)]
                              })
            let label = "\(timing.workers) worker\(timing.workers > 1 ? "s" : "") × \(timing.threads) thread\(timing.threads > 1 ? "s" : "")"
            plots.append("DATA index \(i) using 1:2 with lines lw 1.5 dt \(n + 1) lc rgb \"#555555\" title \(GnuplotText.quoted(label))")
            plots.append("DATA index \(i) using 1:2:3:4:5 with yerrorbars pt \(n == 0 ? 7 : 5) ps 1.8 lw 2 lc rgb variable notitle")
        }
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            \(TrainingFigures.batchAxis(timings.flatMap(\.batchSizes)))
            set ylabel "median seconds per epoch (s)"; set yrange [0:*]; set key below height 1 nobox noopaque
            plot \(plots.joined(separator: ", \\\n     "))
            """)
    }
}
