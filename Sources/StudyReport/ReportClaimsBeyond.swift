// Claims 8 and 9 (issue 14), decided like the spec's: from the replicates, by a 95 % t interval; one
// replicate gives no interval across initialisations and so no verdict.
//  8. B_simple grows as the loss falls: per run, the least-squares slope of log2 B_simple on the
//     training loss over F18's pooled windows after the initial plateau (NoiseScaleTrend: the plateau
//     ends when the loss has fallen a quarter of its way to the run's lowest); per replicate the mean
//     over the fixed-lr family; holds when the interval of that mean (across replicates) is below 0.
//  9. The measured critical batch size (the knee of S = S_min(1 + B_noise/B)) is within a factor 2 of
//     B_simple at the target: per replicate r = log2(B_noise/B_simple); holds when r's interval lies
//     inside (−1, 1), contradicted when it lies wholly outside [−1, 1].
import Foundation
import Report
import Statistics

extension ReportClaims {
    /// `fixed`: the fixed-lr family without the runs that never left the plateau. Claim 8 averages each
    /// replicate over its family, so a replicate missing one of them leaves too (as completeBlocks does).
    static func beyond(_ data: ReportData, fixed: [ReportRun]) -> [ClaimResult] {
        let incomplete = Set(data.fixedFamilyReplicates.filter(\.neverLeftPlateau).map(\.replicate))
        return [noiseScaleGrows(fixed.filter { !incomplete.contains($0.replicate) }), criticalBatchPredicted(data.critical)]
    }

    /// The slope of log2 B_simple on the training loss over a run's pooled windows after its plateau
    /// (nil: fewer than 3 such windows).
    static func noiseSlope(_ run: ReportRun) -> Double? { NoiseScaleTrend.segment(run)?.slope }

    static func noiseScaleGrows(_ fixed: [ReportRun]) -> ClaimResult {
        let claim = "B_simple grows as the loss falls (after the initial plateau)"
        let rule = "rule: " + NoiseScaleTrend.rule
        let measured = fixed.compactMap { r in NoiseScaleTrend.segment(r).flatMap { s in s.slope.map { (run: r, segment: s, slope: $0) } } }
        guard !measured.isEmpty else {
            return ClaimResult(number: 8, claim: claim, figures: "F18", verdict: .notMeasured,
                               evidence: "no run of the fixed-lr family has \(NoiseScaleTrend.minimumWindows) or more noise-scale windows "
                                   + "after its plateau (\(rule))")
        }
        let first = measured.filter { $0.run.replicate == 1 }.map { m in
            "bs \(m.run.batchSize) \(String(format: "%+.3g", m.slope)) (from epoch \(m.segment.firstEpoch), loss "
                + "\(GnuplotText.short(m.segment.exitLoss)) vs the plateau's \(GnuplotText.short(m.segment.plateauLoss)), "
                + "\(m.segment.windows.count) windows)"
        }.joined(separator: ", ")
        // The whole run, plateau included, beside it: the number the rule sets aside.
        let whole = fixed.filter { $0.replicate == 1 }.compactMap { r -> String? in
            let w = BeyondFigures.noiseWindows(r)
            return w.count >= NoiseScaleTrend.minimumWindows ? NoiseScaleTrend.slope(w).map { "bs \(r.batchSize) \(String(format: "%+.3g", $0))" } : nil
        }.joined(separator: ", ")
        let text = "slope of log2 B_simple per unit of training loss (negative: grows as the loss falls), replicate 1: \(first)"
            + (whole.isEmpty ? "" : "; over the whole run, plateau included: \(whole)") + "; \(rule)"
        let replicates = Set(measured.map(\.run.replicate)).sorted()
        let means = replicates.map { r in
            let s = measured.filter { $0.run.replicate == r }.map(\.slope)
            return s.reduce(0, +) / Double(s.count)
        }
        guard means.count > 1 else {
            return ClaimResult(number: 8, claim: claim, figures: "F18", verdict: .inconclusive, evidence: oneReplicate + " " + text,
                               replicates: replicates)
        }
        let interval = Sample.meanInterval(means)
        return ClaimResult(number: 8, claim: claim, figures: "F18",
                           verdict: ClaimResult.Verdict(Verdict.decide(interval, claimed: .decreasing)),
                           evidence: "family mean slope over \(means.count) replicates: " + describe(interval, logScale: false) + "; " + text,
                           effect: interval, replicates: replicates)
    }

    static let oneGridReplicate = "one replicate of the learning-rate grid: no interval across initialisations. "
        + "pipelines/study-extended.yaml runs train_grid and critical_batch in 3 replicates and decides this claim."

    static func criticalBatchPredicted(_ table: CriticalBatchTable?) -> ClaimResult {
        let claim = "The measured critical batch size is within a factor 2 of B_simple at the target"
        guard let t = table, !t.fits.isEmpty else {
            return ClaimResult(number: 9, claim: claim, figures: "F19", verdict: .notMeasured,
                               evidence: "the critical_batch stage is not in this pipeline")
        }
        let fits = t.fits.filter { $0.predicted.isFinite && $0.predicted > 0 }
        let text = t.fits.map { f in
            "replicate \(f.replicate): B_noise \(GnuplotText.short(f.criticalBatch)) vs B_simple \(GnuplotText.short(f.predicted))"
                + " (ratio \(String(format: "%.2f", f.criticalBatch / f.predicted)))"
        }.joined(separator: "; ")
        if let edge = t.fits.first(where: \.atBoundary) {
            return ClaimResult(number: 9, claim: claim, figures: "F19", verdict: .inconclusive,
                               evidence: "replicate \(edge.replicate)'s knee lies outside the batch sizes measured (the fit hits the edge "
                                   + "of its range). " + text)
        }
        guard fits.count > 1 else {
            return ClaimResult(number: 9, claim: claim, figures: "F19", verdict: .inconclusive, evidence: oneGridReplicate + " " + text)
        }
        let interval = Sample.meanInterval(fits.map { log2($0.criticalBatch / $0.predicted) })
        let (lo, hi) = (interval.lower!, interval.upper!)
        let verdict: ClaimResult.Verdict = lo > -1 && hi < 1 ? .holds : (lo > 1 || hi < -1) ? .contradicted : .inconclusive
        return ClaimResult(number: 9, claim: claim, figures: "F19", verdict: verdict,
                           evidence: text + "; log2(B_noise/B_simple): " + describe(interval, logScale: false)
                               + " (holds inside ±1, i.e. a factor 2)", effect: interval)
    }
}
