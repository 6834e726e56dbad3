// The figures beyond the article (issue 14), section 10 of the page: F18 the gradient noise scale over
// training, F19 steps to a target loss and the critical batch size, F20 PCA trajectories, F21 the
// Hessian's spectral density.
import Foundation
import Report

extension ReportCatalogue {
    static func beyondEntries(_ d: ReportData) -> [ReportEntry] {
        func n(_ x: Double) -> String { GnuplotText.short(x) }
        let lr = "lr \(Float(d.settings.fixedLR))"
        var out: [ReportEntry] = []
        let noise = BeyondFigures.noiseScale(id: "f18", title: "F18 · the gradient noise scale tr(Σ)/|G|² over training, \(lr)", runs: d.fixedFamily)
        out.append(ReportEntry(section: 10, figure: noise,
            original: "not in the article. McCandlish et al. (2018): B_simple = tr(Σ)/|G|² predicts the critical batch size and grows as the loss falls.",
            measured: d.fixedFamily.compactMap { r -> String? in
                let w = BeyondFigures.noiseWindows(r)
                guard let first = w.first, let last = w.last else { return nil }
                return "bs \(r.batchSize) \(n(first.bSimple)) (epochs 1–\(BeyondFigures.pooledEpochs), loss \(n(first.trainLoss))) → "
                    + "\(n(last.bSimple)) (to epoch \(Int(last.epoch)), loss \(n(last.trainLoss)))"
            }.joined(separator: "; ") + ". Small batch: the network's fixed 8-image chunks; big batch: the mini-batch; "
                + "window: \(BeyondFigures.pooledEpochsText). Claim 8 reads each run after its plateau: "
                + plateauExits(d.fixedFamily) + "."))
        let steps = BeyondFigures.stepsToTarget(id: "f19", title: "F19 · steps to the target validation loss per batch size at its best lr",
                                                table: d.critical)
        out.append(ReportEntry(section: 10, figure: steps,
            original: "not in the article. Shallue et al. (2018): perfect scaling, then diminishing returns; McCandlish et al.: "
                + "S = S_min(1 + B_noise/B), knee at B_crit ≈ B_simple.",
            measured: d.critical.map(criticalText) ?? ""))
        let paths = BeyondFigures.trajectories(id: "f20", title: "F20 · where training went: the path on its top-2 PCA directions",
                                               tables: d.trajectories.filter { $0.replicate == 1 })
        out.append(ReportEntry(section: 10, figure: paths,
            original: "not in the article. Li et al. (2018, section 7): trajectories lie in a very low-dimensional space (40–90 % "
                + "of the variance in two directions).",
            measured: d.trajectories.filter { $0.replicate == 1 }.sorted { $0.batchSize < $1.batchSize }.map { t in
                "bs \(t.batchSize): \(String(format: "%.1f %% + %.1f %%", 100 * t.explained[0], 100 * t.explained[1])) of the variance "
                    + "over \(t.epochs.count) points (epochs 0–\(t.finalEpoch))"
            }.joined(separator: "; ") + "."))
        let fixedHessians = d.hessians.filter { ReportData.same($0.learningRate, d.settings.fixedLR) && $0.replicate == 1 }
        let spectrum = BeyondFigures.spectralDensity(id: "f21", title: "F21 · Hessian spectral density at each minimizer, \(lr)",
                                                     results: fixedHessians)
        out.append(ReportEntry(section: 10, figure: spectrum,
            original: "not in the article. PyHessian (Yao et al. 2020): a few large outliers above a bulk near 0; large-batch "
                + "minimizers have larger top eigenvalues.",
            measured: fixedHessians.sorted { $0.batchSize < $1.batchSize }.map {
                "bs \($0.batchSize) λ_max \(n($0.lambdaMax)), trace \(n($0.trace)) ± \(n($0.traceStandardError))"
            }.joined(separator: ", ") + ". One probe: λ_max's 20-step Lanczos run read as stochastic Lanczos quadrature "
                + "(Gaussian start), exact Hessian-vector products, the training set."))
        return out
    }

    /// "bs 32 from epoch 21 (loss 0.56), …": where claim 8's windows start in each run (NoiseScaleTrend).
    static func plateauExits(_ runs: [ReportRun]) -> String {
        let exits = runs.compactMap { r in
            NoiseScaleTrend.segment(r).map { "bs \(r.batchSize) from epoch \($0.firstEpoch) (loss \(GnuplotText.short($0.exitLoss)))" }
        }
        return exits.isEmpty ? "no run has left its plateau" : exits.joined(separator: ", ")
    }

    static func criticalText(_ t: CriticalBatchTable) -> String {
        func n(_ x: Double) -> String { GnuplotText.short(x) }
        let fits = t.fits.map { f in
            "replicate \(f.replicate): B_noise \(n(f.criticalBatch))\(f.atBoundary ? " (at the edge of the searched range)" : "") "
                + "vs B_simple \(n(f.predicted)), S_min \(n(f.minimumSteps))"
        }.joined(separator: "; ")
        let best = t.best.filter { $0.replicate == 1 }.map { "bs \($0.batchSize) \(Int($0.steps)) at lr \(Float($0.learningRate))" }
            .joined(separator: ", ")
        return "target validation loss \(n(t.targetValLoss)); fewest updates: \(best); \(fits)."
    }
}

extension BeyondFigures {
    static let pooledEpochsText = "each point pools \(pooledEpochs) epochs (Σ tr(Σ)·n / Σ |G|²·n)"
}
