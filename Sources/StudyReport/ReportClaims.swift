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
    /// The replicates the verdict rests on (blocks with every member of the claim's family), when decided from replicates.
    public var replicates: [Int]? = nil
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
        + "fitted on a log scale and shown as a factor per doubling of the batch. Claims 5 and 7 rest on Keskar's φ at ε = 1e-3; "
        + "where the pipeline also measures the Hessian, λ_max's trend (a factor per doubling) is shown beside φ's, not as the "
        + "verdict. Claim 2 rests on the timing stage's "
        + "isolated measurement at every worker count timed (one common slope), with each timed round of each worker count "
        + "(every batch size back to back) as a block. Claim 6 compares the slopes of the two "
        + "learning-rate families in one model (an interaction term). Holds: the interval excludes 0 in the claimed direction; "
        + "contradicted: it excludes 0 the other way; inconclusive: it contains 0, or there is one replicate only (no interval "
        + "across initialisations exists). A claim uses the replicates in which every member of its family was measured "
        + "(complete blocks: every batch size of the family, for claim 6 of both families), so that no comparison mixes "
        + "unpaired runs; a pipeline may give one family more replicates than another (pipelines/study-extended.yaml), and "
        + "each claim's numbers name its n and which replicates it left out. "
        + "A run that never left the initial plateau (its train stage set plateau_loss, and it reached max_epochs without a "
        + "validation loss below it) is missing to every claim, so its replicate drops out of its family's complete blocks; "
        + "the report names each such run (a rule fixed in the pipeline file before the runs, not a post-hoc exclusion). "
        + "Nine claims are tested without a multiplicity correction; claims 8 and 9 (issue 14) are decided from one number "
        + "per replicate (their mean's t interval)."

    /// "Replicates per claim: 1, 3, 4, 5: n = 15 (1–15); 6, 7: n = 5 (1–5)." — the method's data, claim by claim.
    public static func replicatesUsed(_ claims: [ClaimResult]) -> String {
        var groups: [(replicates: [Int], numbers: [Int])] = []
        for c in claims {
            guard let r = c.replicates, !r.isEmpty else { continue }
            if let i = groups.firstIndex(where: { $0.replicates == r }) {
                groups[i].numbers.append(c.number)
            } else {
                groups.append((r, [c.number]))
            }
        }
        guard !groups.isEmpty else { return "" }
        return "Replicates per claim: " + groups.map { g in
            (g.numbers.count > 1 ? "claims " : "claim ") + g.numbers.map(String.init).joined(separator: ", ")
                + ": n = \(g.replicates.count) (replicate\(g.replicates.count > 1 ? "s" : "") \(ranges(g.replicates)))"
        }.joined(separator: "; ") + "."
    }

    /// [1, 2, 3, 5, 6] → "1–3, 5, 6".
    static func ranges(_ values: [Int]) -> String {
        var parts: [String] = [], start: Int?, last: Int?
        func close() {
            guard let a = start, let b = last else { return }
            parts += b - a >= 2 ? ["\(a)–\(b)"] : (a...b).map(String.init)
        }
        for v in values.sorted() {
            if let l = last, v == l + 1 { last = v; continue }
            close()
            (start, last) = (v, v)
        }
        close()
        return parts.joined(separator: ", ")
    }

    /// The runs of the replicates that have every member (`member`: e.g. the batch size) that occurs in
    /// `runs`, and the replicates left out. A replicate missing a member would enter the block model with
    /// fewer paired differences than the others, or (one run) with none: it is set aside and named.
    static func completeBlocks<T, M: Hashable>(_ items: [T], replicate: (T) -> Int,
                                               member: (T) -> M) -> (runs: [T], used: [Int], left: [Int]) {
        let members = Set(items.map(member))
        let byReplicate = Dictionary(grouping: items, by: replicate)
        let used = byReplicate.filter { Set($0.value.map(member)) == members }.keys.sorted()
        let left = byReplicate.keys.filter { !used.contains($0) }.sorted()
        return (items.filter { used.contains(replicate($0)) }, used, left)
    }

    /// "; n = 5 replicates (1–5; 6–15 left out: not every batch size measured there)".
    static func blocksText(_ used: [Int], left: [Int], missing: String) -> String {
        "; n = \(used.count) replicate\(used.count == 1 ? "" : "s") (\(ranges(used))"
            + (left.isEmpty ? ")" : "; \(ranges(left)) left out: \(missing))")
    }

    public static func evaluate(_ data: ReportData) -> [ClaimResult] {
        // Runs that never left the plateau are missing to every claim (PlateauExclusion.swift).
        let fixed = data.fixedFamilyReplicates.filter { !$0.neverLeftPlateau }
        let scaled = data.scaledFamilyReplicates.filter { !$0.neverLeftPlateau }
        let lr = "lr \(Float(data.settings.fixedLR))"
        let eps = data.settings.epsilon
        func phi(_ r: ReportRun) -> Double? {
            data.sharpness(batchSize: r.batchSize, lr: r.learningRate, replicate: r.replicate)?.phi(near: eps)?.phi
        }
        let minVal = generalisation(data)
        var results: [ClaimResult] = []

        results.append(decide(1, "Larger batch → higher held-out loss at a fixed lr (worse generalisation)", "F2", fixed, minVal,
                              missing: "needs two batch sizes at \(lr)"))
        results.append(secondsPerEpoch(data.timings, sizes: Set(fixed.map(\.batchSize)).sorted()))
        results.append(epochsToMinimum(fixed, lr: lr))
        results.append(updateNormsAndDistance(data, fixed, lr: lr))
        results.append(sharpness(5, "Larger batch → sharper minimizer", "F10", data, fixed, phi: phi,
                                 missing: "no sharpness results for two batch sizes at \(lr) (sharpness stage not in this pipeline)"))
        results.append(scalingRule(fixed, scaled, minVal))
        results.append(sharpness(7, "With scaled lr, large-batch minimizers are still sharper than small-batch ones", "F15", data, scaled,
                                 phi: phi, missing: "no sharpness results for two batch sizes of the scaled family"))
        return results + beyond(data, fixed: fixed)  // 8, 9: ReportClaimsBeyond.swift
    }

    /// What claims 1 and 6 measure generalisation by: the loss of θ_min on the held-out test set when the
    /// pipeline has one (every run scored), else the minimum validation loss — and the name says which.
    static func generalisation(_ data: ReportData) -> ClaimMeasure {
        if let evaluation = data.evaluation, data.runs.allSatisfy({ $0.testLoss != nil }) {
            return ClaimMeasure(name: "test loss at θ_min (\(evaluation.testCount) held-out images)", value: { $0.testLoss },
                                claimed: .increasing)
        }
        let count = data.runs.first?.validationCount ?? 0
        return ClaimMeasure(name: "minimum validation loss (\(count > 0 ? "\(count) images, " : "")the validation set: no held-out test set in this pipeline)",
                            value: { $0.minValLoss }, claimed: .increasing)
    }

    /// Claims 5 and 7 rest on Keskar's φ at ε (F10, F15: the spec's measure), replicated like the runs.
    /// When the pipeline also has the `hessian` stage, λ_max (the Hessian's top eigenvalue at θ_min, on the
    /// training set) is shown beside φ with its own trend and interval, and named as not the verdict's
    /// measure: the claim states which sharpness it rests on, and a reader sees whether a second measure
    /// agrees. λ_max is compared as a factor per doubling (log scale).
    static func sharpness(_ number: Int, _ claim: String, _ figures: String, _ data: ReportData, _ family: [ReportRun],
                          phi: @escaping (ReportRun) -> Double?, missing: String) -> ClaimResult {
        let keskar = ClaimMeasure(name: "Keskar's φ (%) at ε = \(data.settings.epsilon)", value: phi, claimed: .increasing)
        let lambda = ClaimMeasure(name: "λ_max of the Hessian at θ_min (training set)", value: { r in
            data.hessians.first { $0.batchSize == r.batchSize && ReportData.same($0.learningRate, r.learningRate) && $0.replicate == r.replicate }?
                .lambdaMax
        }, claimed: .increasing, logScale: true)
        let result = decide(number, claim + " (by Keskar's φ)", figures, family, keskar, missing: missing)
        guard result.verdict != .notMeasured, family.contains(where: { lambda.value($0) != nil }) else { return result }
        let beside = decide(number, claim, figures, family, lambda, missing: "")
        guard beside.verdict != .notMeasured else { return result }
        return ClaimResult(number: number, claim: result.claim, figures: result.figures, verdict: result.verdict,
                           evidence: result.evidence + ". Beside it, not the verdict's measure: " + beside.evidence
                               + " (by λ_max alone: \(beside.verdict.rawValue))",
                           effect: result.effect, replicates: result.replicates)
    }

    // MARK: - The claims that need more than one trend

    /// Claim 2, from the timing objects (measured alone): log seconds per epoch over log2(batch size)
    /// with each timed round of each worker count as a block — a round times every batch size back to
    /// back, so a drift of the machine drops out, and the interval covers this machine's timing noise.
    /// Every worker count measured counts (1 and 2 MPI ranks in the default study): one common slope, the
    /// average effect over the setups the study times; each setup's own slope is shown beside it.
    static func secondsPerEpoch(_ timings: [TimingTable], sizes: [Int]) -> ClaimResult {
        let claim = "Larger batch → fewer seconds per epoch"
        guard !timings.isEmpty else {
            return ClaimResult(number: 2, claim: claim, figures: "F3", verdict: .notMeasured,
                               evidence: "no timing stage in this pipeline (seconds per epoch are measured alone by `timing`)")
        }
        let tables = timings.map { t in (table: t, measured: sizes.filter { t.samples(batchSize: $0) != nil }) }
            .filter { $0.measured.count > 1 }
        guard !tables.isEmpty else {
            return ClaimResult(number: 2, claim: claim, figures: "F3", verdict: .notMeasured,
                               evidence: "the timing stage measured fewer than two of the family's batch sizes")
        }
        // Block ids: (table, round) pairs, numbered apart so that no two setups share a block.
        func observations(_ index: Int) -> [Observation] {
            let (table, measured) = tables[index]
            return measured.flatMap { bs in
                table.samples(batchSize: bs)!.enumerated().map {
                    Observation(block: index * 1_000_000 + $0.offset + 1, x: log2(Double(bs)), y: log($0.element))
                }
            }
        }
        let setups = tables.indices.map { index -> String in
            let (table, measured) = tables[index]
            let medians = measured.map { "bs \($0) " + GnuplotText.short(table.median(batchSize: $0)!) }.joined(separator: ", ")
            let own = (try? BlockedTrend.slope(observations(index))).map { "; × per doubling " + describe($0, logScale: true) } ?? ""
            return "median seconds per epoch, \(table.setup): " + medians + own
        }.joined(separator: ". ")
        do {
            let slope = try BlockedTrend.slope(tables.indices.flatMap(observations))
            let pooled = tables.count > 1 ? "all \(tables.count) worker counts together" : "one worker count"
            return ClaimResult(number: 2, claim: claim, figures: "F3", verdict: ClaimResult.Verdict(Verdict.decide(slope, claimed: .decreasing)),
                               evidence: setups + ". Per doubling of the batch, \(pooled), timed rounds as blocks: "
                                   + describe(slope, logScale: true),
                               effect: slope)
        } catch {
            return ClaimResult(number: 2, claim: claim, figures: "F3", verdict: .inconclusive, evidence: "\(error); " + setups)
        }
    }

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
                               effect: result.effect, replicates: result.replicates)
        }
        return ClaimResult(number: 3, claim: claim, figures: "F4", verdict: .inconclusive,
                           evidence: note + "; raise max_epochs. " + result.evidence, effect: result.effect, replicates: result.replicates)
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
                           effect: median.effect, replicates: median.replicates)
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
        // Complete blocks over both families: a replicate counts when it has every (family, batch size) measured.
        // The run shared by both families (bs 32 at the base lr) is in both lists, tagged by its family.
        struct Member: Hashable { let family: Int, batchSize: Int }
        let tagged = fixed.filter { measure.value($0) != nil }.map { (run: $0, family: 0) }
            + scaled.filter { measure.value($0) != nil }.map { (run: $0, family: 1) }
        let (complete, used, left) = completeBlocks(tagged, replicate: { $0.run.replicate },
                                                    member: { Member(family: $0.family, batchSize: $0.run.batchSize) })
        let means = "fixed lr: " + perBatchSize(complete.filter { $0.family == 0 }.map(\.run), measure)
            + "; scaled lr: " + perBatchSize(complete.filter { $0.family == 1 }.map(\.run), measure)
            + blocksText(used, left: left, missing: "not every batch size of both families measured there")
        let observations = complete.map {
            Observation(block: $0.run.replicate, x: log2(Double($0.run.batchSize)), y: measure.value($0.run)!, group: $0.family)
        }
        guard used.count > 1 else {
            return ClaimResult(number: 6, claim: claim, figures: figures, verdict: .inconclusive,
                               evidence: (used.isEmpty ? noCompleteBlock : oneReplicate) + " " + means, replicates: used)
        }
        do {
            let difference = try BlockedTrend.slopeDifference(observations)
            let verdict = ClaimResult.Verdict(Verdict.decide(difference, claimed: .decreasing))
            return ClaimResult(number: 6, claim: claim, figures: figures, verdict: verdict,
                               evidence: means + "; slope per doubling, scaled − fixed: " + describe(difference, logScale: false),
                               effect: difference, replicates: used)
        } catch {
            return ClaimResult(number: 6, claim: claim, figures: figures, verdict: .inconclusive, evidence: "\(error); " + means,
                               replicates: used)
        }
    }

    /// The claims as plain text, one block per claim (what `make reproduce` prints at the end):
    /// `1  holds         Larger batch → …` then the effect and the numbers, indented.
    /// `runs`: every run of the report, for the line naming the runs the claims excluded.
    public static func text(_ claims: [ClaimResult], runs: [ReportRun] = []) -> String {
        var out = "Claims (\(claims.filter { $0.verdict == .holds || $0.verdict == .contradicted }.count) of \(claims.count) decided):\n"
        let used = replicatesUsed(claims)
        if !used.isEmpty { out += "  " + used + "\n" }
        let excluded = exclusionsText(runs)
        if !excluded.isEmpty { out += "  " + excluded + "\n" }
        for c in claims {
            out += "  \(c.number)  " + c.verdict.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0) + c.claim + " (\(c.figures))\n"
            out += "       " + c.evidence + "\n"
        }
        return out
    }

    // MARK: - One trend

    static let noCompleteBlock = "no replicate has every member of the family measured: no paired comparison."
    static let oneReplicate = "one replicate only: no interval across initialisations (set `replicates: 3` or more on train and its analyses)."

    static func decide(_ number: Int, _ claim: String, _ figures: String, _ runs: [ReportRun], _ measure: ClaimMeasure,
                       missing: String) -> ClaimResult {
        let measured = runs.filter { measure.value($0).map { $0.isFinite && (!measure.logScale || $0 > 0) } ?? false }
        guard Set(measured.map(\.batchSize)).count > 1 else {
            return ClaimResult(number: number, claim: claim, figures: figures, verdict: .notMeasured, evidence: missing)
        }
        let blocks = completeBlocks(measured, replicate: \.replicate) { $0.batchSize }
        let means = measure.name + ": " + perBatchSize(blocks.runs, measure)
            + blocksText(blocks.used, left: blocks.left, missing: "not every batch size of the family measured there")
        guard blocks.used.count > 1 else {
            return ClaimResult(number: number, claim: claim, figures: figures, verdict: .inconclusive,
                               evidence: (blocks.used.isEmpty ? noCompleteBlock : oneReplicate) + " " + means, replicates: blocks.used)
        }
        let observations = blocks.runs.map { r -> Observation in
            let y = measure.value(r)!
            return Observation(block: r.replicate, x: log2(Double(r.batchSize)), y: measure.logScale ? log(y) : y)
        }
        do {
            let slope = try BlockedTrend.slope(observations)
            return ClaimResult(number: number, claim: claim, figures: figures,
                               verdict: ClaimResult.Verdict(Verdict.decide(slope, claimed: measure.claimed)),
                               evidence: means + "; per doubling of the batch: " + describe(slope, logScale: measure.logScale),
                               effect: slope, replicates: blocks.used)
        } catch {
            return ClaimResult(number: number, claim: claim, figures: figures, verdict: .inconclusive, evidence: "\(error); " + means,
                               replicates: blocks.used)
        }
    }

    /// "bs 32 0.359 [0.351, 0.367], bs 256 …": the mean over replicates with its 95 % interval.
    static func perBatchSize(_ runs: [ReportRun], _ measure: ClaimMeasure) -> String { perBatchSize(runs, measure.value) }

    static func perBatchSize(_ runs: [ReportRun], _ value: (ReportRun) -> Double?) -> String {
        let runs = runs.filter { value($0) != nil }
        guard !runs.isEmpty else { return "no runs" }
        let sizes = Set(runs.map(\.batchSize)).sorted()
        // Unequal replicates per batch size (pipelines/study-extended.yaml's figures): each mean names its n.
        let counts = Dictionary(grouping: runs, by: \.batchSize).mapValues(\.count)
        let equal = Set(counts.values).count == 1
        return sizes.map { bs in
            let values = runs.filter { $0.batchSize == bs }.compactMap(value)
            let m = Sample.meanInterval(values)
            let interval = m.lower.map { " [\(GnuplotText.short($0)), \(GnuplotText.short(m.upper!))]" } ?? ""
            return "bs \(bs) \(GnuplotText.short(m.estimate))\(interval)" + (equal ? "" : " (n = \(values.count))")
        }.joined(separator: ", ") + (equal ? " (mean [95 % CI] over \(Set(runs.map(\.replicate)).count) replicate(s))"
                                         : " (mean [95 % CI] over n replicates)")
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
