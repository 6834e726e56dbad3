// The seven claims of the spec, each decided from the replicated runs: the trend of the claim's
// measure over log2(batch size) with one intercept per replicate (replicates are blocks: within a
// replicate every batch size starts from the same θ_init, so the slope is estimated from paired,
// within-replicate differences), its 95 % t interval, and a verdict: holds (the interval excludes 0
// in the claimed direction), contradicted (excludes 0 the other way) or inconclusive. One replicate
// gives no interval across initialisations: inconclusive, said plainly. Method: docs/report.md.
import Foundation
import Report
import Statistics

public struct ClaimResult: Sendable {
    public enum Verdict: String, Sendable {
        case holds = "holds", contradicted = "contradicted", inconclusive = "inconclusive", notMeasured = "not measured"
    }
    public let number: Int
    public let claim: String
    public let figures: String
    public let verdict: Verdict
    public let evidence: String
    /// The effect the verdict rests on (slope per doubling of the batch size, or a slope difference), when measured.
    public var effect: Interval? = nil
}

/// A measure of a run and how the claim expects it to move with the batch size.
struct ClaimMeasure {
    var name: String
    var value: (ReportRun) -> Double?
    var claimed: Direction
    /// Multiplicative effects (times, norms) are tested on log values and shown as a factor per doubling.
    var logScale = false
}

public enum ReportClaims {
    public static let method = "Each claim is decided from the replicated runs: an ordinary least-squares fit of the claim's measure "
        + "on log2(batch size) with one intercept per replicate (replicates as blocks, so the slope rests on within-replicate, "
        + "paired differences; all batch sizes of the family count), and the 95 % t interval of the slope. Times and norms are "
        + "fitted on a log scale and shown as a factor per doubling of the batch. Claim 6 compares the slopes of the two "
        + "learning-rate families in one model (an interaction term). Holds: the interval excludes 0 in the claimed direction; "
        + "contradicted: it excludes 0 the other way; inconclusive: it contains 0, or there is one replicate only (no interval "
        + "across initialisations exists). Nine claims are tested without a multiplicity correction; claims 8 and 9 (issue 14) are decided from one number per replicate (their mean's t interval)."

    public static func evaluate(_ data: ReportData) -> [ClaimResult] {
        let fixed = data.fixedFamilyReplicates, scaled = data.scaledFamilyReplicates
        let lr = "lr \(Float(data.settings.fixedLR))"
        let eps = data.settings.epsilon
        func phi(_ r: ReportRun) -> Double? {
            data.sharpness(batchSize: r.batchSize, lr: r.learningRate, replicate: r.replicate)?.phi(near: eps)?.phi
        }
        let minVal = ClaimMeasure(name: "minimum validation loss", value: { $0.minValLoss }, claimed: .increasing)
        var results: [ClaimResult] = []

        results.append(decide(1, "Larger batch → higher minimum validation loss at a fixed lr", "F2", fixed, minVal,
                              missing: "needs two batch sizes at \(lr)"))
        results.append(decide(2, "Larger batch → fewer seconds per epoch", "F3", fixed.filter { $0.timing != nil },
                              ClaimMeasure(name: "seconds per epoch", value: { $0.timing?.secondsPerEpoch }, claimed: .decreasing,
                                           logScale: true),
                              missing: "no wall times in the run index for two batch sizes at \(lr)"))
        results.append(epochsToMinimum(fixed, lr: lr))
        results.append(updateNormsAndDistance(data, fixed, lr: lr))
        results.append(decide(5, "Larger batch → larger sharpness", "F10", fixed.filter { phi($0) != nil },
                              ClaimMeasure(name: "φ (%)", value: phi, claimed: .increasing),
                              missing: "no sharpness results for two batch sizes at \(lr) (sharpness stage not in this pipeline)"))
        results.append(scalingRule(fixed, scaled, minVal))
        results.append(decide(7, "With scaled lr, large-batch minimizers are still sharper than small-batch ones", "F15",
                              scaled.filter { phi($0) != nil }, ClaimMeasure(name: "φ (%)", value: phi, claimed: .increasing),
                              missing: "no sharpness results for two batch sizes of the scaled family"))
        return results + beyond(data)  // 8, 9: ReportClaimsBeyond.swift
    }

    // MARK: - The claims that need more than one trend

    /// Claim 3. A run stopped by the epoch cap had not finished improving: its epoch of the minimum is a
    /// lower bound. Capped runs all at the largest batch size can only pull an increasing slope down, so
    /// "holds" survives them; any other capped run makes the claim inconclusive.
    static func epochsToMinimum(_ fixed: [ReportRun], lr: String) -> ClaimResult {
        let claim = "Larger batch → more epochs to the minimum at a fixed lr"
        let result = decide(3, claim, "F4", fixed, ClaimMeasure(name: "epochs to the minimum", value: { Double($0.epochMin) },
                                                                 claimed: .increasing), missing: "needs two batch sizes at \(lr)")
        let capped = fixed.filter(\.hitCap)
        guard !capped.isEmpty, result.verdict != .notMeasured else { return result }
        let largest = fixed.map(\.batchSize).max()
        let note = "\(capped.count) run(s) stopped by the epoch cap (\(capped[0].maxEpochs)): their minimum is a lower bound"
        if result.verdict == .holds && capped.allSatisfy({ $0.batchSize == largest }) {
            return ClaimResult(number: 3, claim: claim, figures: "F4", verdict: .holds, evidence: result.evidence + "; " + note,
                               effect: result.effect)
        }
        return ClaimResult(number: 3, claim: claim, figures: "F4", verdict: .inconclusive,
                           evidence: note + "; raise max_epochs. " + result.evidence, effect: result.effect)
    }

    /// Claim 4: both trends must hold; either contradicted contradicts it.
    static func updateNormsAndDistance(_ data: ReportData, _ fixed: [ReportRun], lr: String) -> ClaimResult {
        let claim = "Larger batch → smaller median update norm and smaller distance from init"
        let rows = fixed.filter { data.distanceRow($0) != nil }
        let median = decide(4, claim, "F8, F6", rows, ClaimMeasure(name: "median ‖Δθ‖", value: { data.distanceRow($0)?.updateMedian },
                                                                    claimed: .decreasing, logScale: true), missing: "needs two batch sizes at \(lr)")
        let distance = decide(4, claim, "F8, F6", rows, ClaimMeasure(name: "‖θ_min − θ_init‖", value: { data.distanceRow($0)?.distanceMin },
                                                                      claimed: .decreasing, logScale: true), missing: "needs two batch sizes at \(lr)")
        let both = [median.verdict, distance.verdict]
        let verdict: ClaimResult.Verdict = both.contains(.notMeasured) ? .notMeasured
            : both.allSatisfy { $0 == .holds } ? .holds : both.contains(.contradicted) ? .contradicted : .inconclusive
        return ClaimResult(number: 4, claim: claim, figures: "F8, F6", verdict: verdict,
                           evidence: verdict == .notMeasured ? median.evidence : median.evidence + ". " + distance.evidence,
                           effect: median.effect)
    }

    /// Claim 6: the slope of the minimum validation loss over log2(batch size) is smaller with the
    /// linear scaling rule than at the fixed lr (scaled − fixed < 0), in one model with replicate blocks.
    static func scalingRule(_ fixed: [ReportRun], _ scaled: [ReportRun], _ measure: ClaimMeasure) -> ClaimResult {
        let claim = "The linear scaling rule shrinks the validation-loss gap between the smallest and largest batch"
        let figures = "F2 vs F13"
        guard Set(fixed.map(\.batchSize)).count > 1, Set(scaled.map(\.batchSize)).count > 1 else {
            return ClaimResult(number: 6, claim: claim, figures: figures, verdict: .notMeasured,
                               evidence: "needs both families with two batch sizes")
        }
        let means = "fixed lr: " + perBatchSize(fixed, measure) + "; scaled lr: " + perBatchSize(scaled, measure)
        let observations = fixed.map { Observation(block: $0.replicate, x: log2(Double($0.batchSize)), y: $0.minValLoss, group: 0) }
            + scaled.map { Observation(block: $0.replicate, x: log2(Double($0.batchSize)), y: $0.minValLoss, group: 1) }
        guard Set(observations.map(\.block)).count > 1 else {
            return ClaimResult(number: 6, claim: claim, figures: figures, verdict: .inconclusive,
                               evidence: oneReplicate + " " + means)
        }
        do {
            let difference = try BlockedTrend.slopeDifference(observations)
            let verdict = ClaimResult.Verdict(Verdict.decide(difference, claimed: .decreasing))
            return ClaimResult(number: 6, claim: claim, figures: figures, verdict: verdict,
                               evidence: means + "; slope per doubling, scaled − fixed: " + describe(difference, logScale: false),
                               effect: difference)
        } catch {
            return ClaimResult(number: 6, claim: claim, figures: figures, verdict: .inconclusive, evidence: "\(error); " + means)
        }
    }

    // MARK: - One trend

    static let oneReplicate = "one replicate only: no interval across initialisations (set `replicates: 3` or more on train and its analyses)."

    static func decide(_ number: Int, _ claim: String, _ figures: String, _ runs: [ReportRun], _ measure: ClaimMeasure,
                       missing: String) -> ClaimResult {
        let measured = runs.filter { measure.value($0).map { $0.isFinite && (!measure.logScale || $0 > 0) } ?? false }
        guard Set(measured.map(\.batchSize)).count > 1 else {
            return ClaimResult(number: number, claim: claim, figures: figures, verdict: .notMeasured, evidence: missing)
        }
        let means = measure.name + ": " + perBatchSize(measured, measure)
        guard Set(measured.map(\.replicate)).count > 1 else {
            return ClaimResult(number: number, claim: claim, figures: figures, verdict: .inconclusive, evidence: oneReplicate + " " + means)
        }
        let observations = measured.map { r -> Observation in
            let y = measure.value(r)!
            return Observation(block: r.replicate, x: log2(Double(r.batchSize)), y: measure.logScale ? log(y) : y)
        }
        do {
            let slope = try BlockedTrend.slope(observations)
            return ClaimResult(number: number, claim: claim, figures: figures,
                               verdict: ClaimResult.Verdict(Verdict.decide(slope, claimed: measure.claimed)),
                               evidence: means + "; per doubling of the batch: " + describe(slope, logScale: measure.logScale),
                               effect: slope)
        } catch {
            return ClaimResult(number: number, claim: claim, figures: figures, verdict: .inconclusive, evidence: "\(error); " + means)
        }
    }

    /// "bs 32 0.359 [0.351, 0.367], bs 256 …": the mean over replicates with its 95 % interval.
    static func perBatchSize(_ runs: [ReportRun], _ measure: ClaimMeasure) -> String {
        let sizes = Set(runs.map(\.batchSize)).sorted()
        return sizes.map { bs in
            let values = runs.filter { $0.batchSize == bs }.compactMap(measure.value)
            let m = Sample.meanInterval(values)
            let interval = m.lower.map { " [\(GnuplotText.short($0)), \(GnuplotText.short(m.upper!))]" } ?? ""
            return "bs \(bs) \(GnuplotText.short(m.estimate))\(interval)"
        }.joined(separator: ", ") + " (mean [95 % CI] over \(Set(runs.map(\.replicate)).count) replicate(s))"
    }

    /// "+0.0123 [0.0041, 0.0205] (95 %, df 8)", or "× 0.81 [0.74, 0.88]" on a log scale.
    static func describe(_ i: Interval, logScale: Bool) -> String {
        func f(_ x: Double) -> String { logScale ? String(format: "%.3g", exp(x)) : String(format: "%+.3g", x) }
        let range = i.lower.map { " [\(f($0)), \(f(i.upper!))]" } ?? " (no interval)"
        return (logScale ? "× " : "") + f(i.estimate) + range + " (95 %, df \(i.degreesOfFreedom))"
    }
}

extension ClaimResult.Verdict {
    init(_ verdict: Verdict) {
        switch verdict {
        case .holds: self = .holds
        case .contradicted: self = .contradicted
        case .inconclusive: self = .inconclusive
        }
    }
}
