// Claims 8 and 9 (issue 14), decided like the spec's: from the replicates, by a 95 % t interval; one
// replicate gives no interval across initialisations and so no verdict.
//  8. B_simple grows as the loss falls: per run, the least-squares slope of log2 B_simple on the
//     training loss over F18's pooled windows; per replicate the mean over the fixed-lr family; holds
//     when the interval of that mean (across replicates) is below 0.
//  9. The measured critical batch size (the knee of S = S_min(1 + B_noise/B)) is within a factor 2 of
//     B_simple at the target: per replicate r = log2(B_noise/B_simple); holds when r's interval lies
//     inside (−1, 1), contradicted when it lies wholly outside [−1, 1].
import Foundation
import Report
import Statistics

extension ReportClaims {
    static func beyond(_ data: ReportData) -> [ClaimResult] {
        [noiseScaleGrows(data.fixedFamilyReplicates), criticalBatchPredicted(data.critical)]
    }

    /// The slope of log2 B_simple on the training loss over a run's pooled windows (nil: < 3 windows).
    static func noiseSlope(_ run: ReportRun) -> Double? {
        let w = BeyondFigures.noiseWindows(run)
        guard w.count >= 3 else { return nil }
        let xs = w.map(\.trainLoss), ys = w.map { log2($0.bSimple) }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        guard sxx > 0 else { return nil }
        return zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / sxx
    }

    static func noiseScaleGrows(_ fixed: [ReportRun]) -> ClaimResult {
        let claim = "B_simple grows as the loss falls"
        let slopes = fixed.compactMap { r in noiseSlope(r).map { (run: r, slope: $0) } }
        guard !slopes.isEmpty else {
            return ClaimResult(number: 8, claim: claim, figures: "F18", verdict: .notMeasured,
                               evidence: "no run of the fixed-lr family records the noise scale over 3 or more windows")
        }
        let perRun = slopes.filter { $0.run.replicate == 1 }.map { "bs \($0.run.batchSize) \(String(format: "%+.3g", $0.slope))" }
            .joined(separator: ", ")
        let text = "slope of log2 B_simple per unit of training loss (negative: grows as the loss falls), replicate 1: \(perRun)"
        let replicates = Set(slopes.map(\.run.replicate)).sorted()
        let means = replicates.map { r in
            let s = slopes.filter { $0.run.replicate == r }.map(\.slope)
            return s.reduce(0, +) / Double(s.count)
        }
        guard means.count > 1 else {
            return ClaimResult(number: 8, claim: claim, figures: "F18", verdict: .inconclusive, evidence: oneReplicate + " " + text)
        }
        let interval = Sample.meanInterval(means)
        return ClaimResult(number: 8, claim: claim, figures: "F18",
                           verdict: ClaimResult.Verdict(Verdict.decide(interval, claimed: .decreasing)),
                           evidence: text + "; family mean over \(means.count) replicates: " + describe(interval, logScale: false),
                           effect: interval)
    }

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
            return ClaimResult(number: 9, claim: claim, figures: "F19", verdict: .inconclusive, evidence: oneReplicate + " " + text)
        }
        let interval = Sample.meanInterval(fits.map { log2($0.criticalBatch / $0.predicted) })
        let (lo, hi) = (interval.lower!, interval.upper!)
        let verdict: ClaimResult.Verdict = lo > -1 && hi < 1 ? .holds : (lo > 1 || hi < -1) ? .contradicted : .inconclusive
        return ClaimResult(number: 9, claim: claim, figures: "F19", verdict: verdict,
                           evidence: text + "; log2(B_noise/B_simple): " + describe(interval, logScale: false)
                               + " (holds inside ±1, i.e. a factor 2)", effect: interval)
    }
}
