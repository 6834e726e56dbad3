// Figures beyond the article (issue 14): F18 the gradient noise scale over training, F19 steps to a
// target loss against the batch size with McCandlish's model and the predicted critical batch size,
// F20 the PCA trajectories over their loss contours.
import Foundation
import Report
import Training

enum BeyondFigures {
    /// Epochs pooled per point of F18 (B_simple of one epoch of a large batch rests on few estimates).
    static let pooledEpochs = 5

    /// F18: B_simple against the training loss, pooled over windows of `pooledEpochs` epochs (Σ tr(Σ)·n /
    /// Σ |G|²·n), one curve per batch size; windows whose |G|² estimate is not positive are left out.
    static func noiseScale(id: String, title: String, runs: [ReportRun]) -> Figure {
        guard runs.contains(where: { !$0.noise.isEmpty }) else {
            return .notRun(id: id, title: title, reason: "no checkpoint records the noise scale (train code version < 4)")
        }
        let withNoise = runs.filter { !noiseWindows($0).isEmpty }
        guard !withNoise.isEmpty else {
            return .notRun(id: id, title: title, reason: "no run has a window of \(pooledEpochs) epochs with a positive |G|² estimate")
        }
        var tsv = TSVBuilder()
        var plots: [String] = []
        for run in withNoise.sorted(by: { $0.batchSize < $1.batchSize }) {
            let rows = noiseWindows(run).map { [$0.epoch, $0.trainLoss, $0.bSimple, $0.gradientSquared, $0.trace] }
            let i = tsv.block("bs \(run.batchSize), lr \(Float(run.learningRate)): windows of \(pooledEpochs) epochs",
                              columns: ["last_epoch", "train_loss", "b_simple", "gradient_squared", "trace"], rows: rows)
            plots.append("DATA index \(i) using 2:3 with linespoints lw 2 pt 7 ps 0.6 \(Palette.lineColour(batchSize: run.batchSize)) "
                         + "title \"bs \(run.batchSize)\"")
        }
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            set xlabel "training loss (mean over the window's epochs; falls to the right)"; set xrange [*:*] reverse
            set ylabel "B_{simple} = tr(Σ)/|G|^2 (examples), log scale"; set logscale y; set key top left
            plot \(plots.joined(separator: ", \\\n     "))
            """)
    }

    struct NoiseWindow { var epoch: Double, trainLoss: Double, bSimple: Double, gradientSquared: Double, trace: Double }

    static func noiseWindows(_ run: ReportRun) -> [NoiseWindow] {
        stride(from: pooledEpochs, through: run.noise.count, by: pooledEpochs).compactMap { end in
            guard let pooled = NoiseScaleEpoch.pooled(run.noise[(end - pooledEpochs)..<end]),
                  pooled.gradientSquared > 0, pooled.trace > 0 else { return nil }
            let (g, t) = (pooled.gradientSquared, pooled.trace)
            let loss = run.trainLoss[(end - pooledEpochs)..<end].reduce(0, +) / Double(pooledEpochs)
            return NoiseWindow(epoch: Double(end), trainLoss: loss, bSimple: t / g, gradientSquared: g, trace: t)
        }
    }

    /// F19: steps to the target per batch size: every learning rate (small grey points), the best (large,
    /// coloured), S = S_min(1 + B_noise/B) fitted to the best, and two vertical lines: the fit's knee
    /// (the measured critical batch size) and B_simple at the target (the predicted one). Replicate 1's fit.
    static func stepsToTarget(id: String, title: String, table: CriticalBatchTable?) -> Figure {
        guard let t = table, let fit = t.fits.first(where: { $0.replicate == 1 }) ?? t.fits.first else {
            return .notRun(id: id, title: title, reason: "the critical_batch stage is not in this pipeline")
        }
        var tsv = TSVBuilder()
        let reached = t.runs.filter { $0.stepsToTarget != nil }
        let all = tsv.block("every run that reached the target", columns: ["batch_size", "steps", "lr", "replicate"],
                            rows: reached.map { [Double($0.batchSize), Double($0.stepsToTarget!), decimalLR($0.learningRate), Double($0.replicate)] })
        let best = t.best.filter { $0.replicate == fit.replicate }
        let b = tsv.block("best lr per batch size, replicate \(fit.replicate)", columns: ["batch_size", "steps", "lr", "colour"],
                          rows: best.map { [Double($0.batchSize), $0.steps, decimalLR($0.learningRate), paletteNumber($0.batchSize)] })
        tsv.block("fit (replicate \(fit.replicate))", columns: ["s_min", "b_crit", "b_simple_predicted", "log_residual"],
                  rows: [[fit.minimumSteps, fit.criticalBatch, fit.predicted, fit.logResidual]])
        let sizes = Set(t.runs.map(\.batchSize)).sorted()
        // Both vertical lines and every batch size inside the frame; y from the measured steps.
        let marks = [fit.criticalBatch] + (fit.predicted.isFinite && fit.predicted > 0 ? [fit.predicted] : [])
        let lo = min(Double(sizes.first ?? 16) / 2, marks.min()! / 1.5), hi = max(Double(sizes.last ?? 512) * 2, marks.max()! * 1.5)
        let steps = reached.map { Double($0.stepsToTarget!) }
        let yLo = min(steps.min() ?? 1, fit.minimumSteps) / 1.5, yHi = (steps.max() ?? 10) * 1.5
        var arrows = "set arrow 1 from \(fit.criticalBatch), graph 0 to \(fit.criticalBatch), graph 1 nohead lw 2 dt 2 lc rgb \"black\"\n"
        let predicted = fit.predicted.isFinite && fit.predicted > 0
        if predicted {
            arrows += "set arrow 2 from \(fit.predicted), graph 0 to \(fit.predicted), graph 1 nohead lw 2 dt 3 lc rgb \"#b2182b\"\n"
        }
        let labels = best.map { "set label \"lr \(Float($0.learningRate))\" at \($0.batchSize), \($0.steps) offset 1,1 font \",9\"" }
        return Figure(id: id, title: title, width: 800, height: 520, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            set logscale x 2; set logscale y; set xrange [\(lo):\(hi)]; set yrange [\(yLo):\(yHi)]
            set xtics (\(sizes.map { "\"\($0)\" \($0)" }.joined(separator: ", ")))
            set xlabel "batch size B (images), log scale"; set ylabel "updates to validation loss ≤ \(GnuplotText.short(t.targetValLoss)), log scale"
            set key top right
            \(arrows)\(labels.joined(separator: "\n"))
            S(x) = \(fit.minimumSteps) * (1 + \(fit.criticalBatch) / x)
            set samples 200
            plot DATA index \(all) using 1:2 with points pt 6 ps 1 lc rgb "#999999" title "every lr", \\
                 DATA index \(b) using 1:2:4 with points pt 7 ps 2 lc rgb variable title "best lr", \\
                 S(x) with lines lw 2 lc rgb "black" title "S_{min}(1 + B_{noise}/B): B_{noise} = \(GnuplotText.short(fit.criticalBatch))", \\
                 NaN with lines lw 2 dt 3 lc rgb "#b2182b" title "B_{simple} at the target = \(predicted ? GnuplotText.short(fit.predicted) : "not measured")"
            """)
    }

    /// The palette colour of a batch size as a gnuplot `lc rgb variable` number (0xRRGGBB).
    static func paletteNumber(_ batchSize: Int) -> Double {
        Double(Int(Palette.colour(batchSize: batchSize).dropFirst(), radix: 16) ?? 0x7f7f7f)
    }

    /// F20: per run, the training loss on the plane of the top-2 PCA directions (heat map and contours)
    /// with the projected path from θ_init (first point) to θ_final (0, 0); explained variance on the axes.
    static func trajectories(id: String, title: String, tables: [TrajectoryTable]) -> Figure {
        guard !tables.isEmpty else { return .notRun(id: id, title: title, reason: "the trajectory stage is not in this pipeline") }
        let sorted = tables.sorted { ($0.batchSize, $0.learningRate, $0.replicate) < ($1.batchSize, $1.learningRate, $1.replicate) }
        let losses = sorted.flatMap(\.trainLoss).filter(\.isFinite)
        let lo = losses.min() ?? 0, hi = losses.max() ?? 1
        let levels = GeometryFigures.contourLevels(low: lo, high: hi)
        var tsv = TSVBuilder()
        var panels: [String] = []
        for t in sorted {
            let ny = t.gridY.count
            let g = tsv.gridBlock("bs \(t.batchSize), lr \(Float(t.learningRate)): loss on the PCA plane", columns: ["pc1", "pc2", "train_loss", "train_accuracy"],
                                  groups: t.gridX.indices.map { i in t.gridY.indices.map { j in [t.gridX[i], t.gridY[j], t.trainLoss[i * ny + j], t.trainAccuracy[i * ny + j]] } })
            let p = tsv.block("bs \(t.batchSize): projected path", columns: ["epoch", "pc1", "pc2"],
                              rows: t.epochs.indices.map { [Double(t.epochs[$0]), t.x[$0], t.y[$0]] })
            let colour = Palette.lineColour(batchSize: t.batchSize)
            let pct = t.explained.map { String(format: "%.1f %%", 100 * $0) }
            panels.append("""
                set title "bs \(t.batchSize), lr \(Float(t.learningRate)) (\(t.epochs.count) points, epochs 0–\(t.finalEpoch))" textcolor rgb "\(Palette.colour(batchSize: t.batchSize))"
                set xlabel "1st PCA direction (\(pct[0]) of variance)"; set ylabel "2nd PCA direction (\(pct[1]) of variance)"
                set xrange [\(t.gridX.first ?? -1):\(t.gridX.last ?? 1)]; set yrange [\(t.gridY.first ?? -1):\(t.gridY.last ?? 1)]
                set table $C\(g)
                splot DATA index \(g) using 1:2:3 with lines
                unset table
                plot DATA index \(g) using 1:2:3 with image notitle, \\
                     $C\(g) using 1:2 with lines lw 1 lc rgb "#333333" notitle, \\
                     DATA index \(p) using 2:3 with linespoints lw 2 pt 7 ps 0.7 \(colour) title "path (θ_{init} → θ_{final})", \\
                     DATA index \(p) every ::0::0 using 2:3 with points pt 4 ps 2 lw 2 lc rgb "black" title "θ_{init}", \\
                     DATA index \(p) every ::\(t.epochs.count - 1)::\(t.epochs.count - 1) using 2:3 with points pt 2 ps 2 lw 3 lc rgb "black" title "θ_{final}"
                """)
        }
        return Figure(id: id, title: title, width: 560 * sorted.count + 60, height: 560, data: tsv.result, script: """
            set multiplot layout 1,\(sorted.count) title \(GnuplotText.quoted(title))
            set view map; set contour base; unset surface
            set cntrparam levels discrete \(levels.map(GnuplotText.short).joined(separator: ","))
            set key bottom right; set cbrange [\(lo):\(levels.last ?? hi)]; set cblabel "training loss"
            set palette defined (0 "#f7fbff", 1 "#c6dbef", 2 "#6baed6", 3 "#2171b5", 4 "#08306b")
            \(panels.joined(separator: "\n"))
            """)
    }
}

extension BeyondFigures {
    /// F21: the Hessian's spectral density at each minimizer of one family, from λ_max's Lanczos run
    /// read as one SLQ probe, broadened by Gaussians of σ = 1 % of the widest Ritz range; log y.
    static func spectralDensity(id: String, title: String, results: [HessianResult]) -> Figure {
        let drawn = results.filter { !$0.nodes.isEmpty }.sorted { $0.batchSize < $1.batchSize }
        guard !drawn.isEmpty else {
            return .notRun(id: id, title: title, reason: "no hessian objects with a spectrum (the hessian stage, code version ≥ 3)")
        }
        let lo = drawn.flatMap(\.nodes).min()!, hi = drawn.flatMap(\.nodes).max()!
        let sigma = max(0.01 * (hi - lo), 1e-12)
        let grid = (0...400).map { lo - 5 * sigma + (hi - lo + 10 * sigma) * Double($0) / 400 }
        var tsv = TSVBuilder()
        var plots: [String] = []
        for r in drawn {
            let i = tsv.block("bs \(r.batchSize), lr \(Float(r.learningRate)): density (σ = \(GnuplotText.short(sigma)))",
                              columns: ["eigenvalue", "density"], rows: grid.map { [$0, max(r.density(at: $0, sigma: sigma), 1e-12)] })
            plots.append("DATA index \(i) using 1:2 with lines lw 2 \(Palette.lineColour(batchSize: r.batchSize)) "
                         + "title \"bs \(r.batchSize): λ_{max} \(GnuplotText.short(r.lambdaMax)), trace \(GnuplotText.short(r.trace))\"")
            _ = tsv.block("bs \(r.batchSize): Ritz values and weights", columns: ["node", "weight"],
                          rows: zip(r.nodes, r.weights).map { [$0, $1] })
        }
        return Figure(id: id, title: title, width: 800, height: 480, data: tsv.result, script: """
            set title \(GnuplotText.quoted(title))
            set xlabel "Hessian eigenvalue λ"; set ylabel "spectral density (mass 1), log scale"; set logscale y
            set yrange [1e-9:*]; set key top right
            plot \(plots.joined(separator: ", \\\n     "))
            """)
    }
}
