// The seven claims of the spec, each evaluated from the measured data: holds, does not hold, or not
// measured (its data is not in this pipeline), always with the numbers it was decided on.
import Foundation
import Report

public struct ClaimResult: Sendable {
    public enum Verdict: String, Sendable { case holds = "holds", fails = "does not hold", notMeasured = "not measured" }
    public let number: Int
    public let claim: String
    public let figures: String
    public let verdict: Verdict
    public let evidence: String
}

public enum ReportClaims {
    public static func evaluate(_ data: ReportData) -> [ClaimResult] {
        let fixed = data.fixedFamily, scaled = data.scaledFamily
        let lr = "lr \(Float(data.settings.fixedLR))"
        func ends(_ runs: [ReportRun]) -> (ReportRun, ReportRun)? {
            guard let s = runs.first, let l = runs.last, s.batchSize < l.batchSize else { return nil }
            return (s, l)
        }
        func n(_ x: Double) -> String { GnuplotText.short(x) }
        func verdict(_ ok: Bool) -> ClaimResult.Verdict { ok ? .holds : .fails }
        let missing = "needs two batch sizes at \(lr)"
        var results: [ClaimResult] = []

        // 1. minimum validation loss
        if let (s, l) = ends(fixed) {
            let all = fixed.map { "bs \($0.batchSize) \(n($0.minValLoss))" }.joined(separator: ", ")
            let monotone = zip(fixed, fixed.dropFirst()).allSatisfy { $0.minValLoss < $1.minValLoss }
            let capped = fixed.contains(where: \.hitCap) ? "; runs stopped by the epoch cap: minima within \(l.maxEpochs) epochs" : ""
            results.append(.init(number: 1, claim: "Larger batch → higher minimum validation loss at a fixed lr", figures: "F2",
                                 verdict: verdict(l.minValLoss > s.minValLoss),
                                 evidence: "\(all) (\(monotone ? "increasing at every step" : "not monotone")\(capped))"))
        } else {
            results.append(.init(number: 1, claim: "Larger batch → higher minimum validation loss at a fixed lr", figures: "F2",
                                 verdict: .notMeasured, evidence: missing))
        }
        // 2. seconds per epoch
        let timed = fixed.filter { $0.timing != nil }
        if let (s, l) = ends(timed) {
            let all = timed.map { "bs \($0.batchSize) \(String(format: "%.2f", $0.timing!.secondsPerEpoch)) s" }.joined(separator: ", ")
            results.append(.init(number: 2, claim: "Larger batch → fewer seconds per epoch", figures: "F3",
                                 verdict: verdict(l.timing!.secondsPerEpoch < s.timing!.secondsPerEpoch), evidence: all))
        } else {
            results.append(.init(number: 2, claim: "Larger batch → fewer seconds per epoch", figures: "F3", verdict: .notMeasured,
                                 evidence: "no wall times in the run index for two batch sizes at \(lr)"))
        }
        // 3. epochs to the minimum
        if let (s, l) = ends(fixed) {
            let all = fixed.map { "bs \($0.batchSize) \($0.epochMin)\($0.hitCap ? " (cap \($0.maxEpochs) reached: a lower bound)" : "")" }
                .joined(separator: ", ")
            // A run stopped by the epoch cap had not finished improving: its epoch of the minimum is a lower bound.
            let decided: ClaimResult.Verdict
            if !s.hitCap && !l.hitCap { decided = verdict(l.epochMin > s.epochMin) }
            else if !s.hitCap && l.epochMin > s.epochMin { decided = .holds }
            else { decided = .notMeasured }
            results.append(.init(number: 3, claim: "Larger batch → more epochs to the minimum at a fixed lr", figures: "F4",
                                 verdict: decided, evidence: (decided == .notMeasured ? "inconclusive: the epoch cap stopped the runs "
                                    + "before their minimum was certain; raise max_epochs. " : "") + all))
        } else {
            results.append(.init(number: 3, claim: "Larger batch → more epochs to the minimum at a fixed lr", figures: "F4",
                                 verdict: .notMeasured, evidence: missing))
        }
        // 4. update norms and distance from init
        let rows = fixed.compactMap { data.distanceRow($0) }
        if let s = rows.first, let l = rows.last, s.batchSize < l.batchSize {
            let medians = rows.map { "bs \($0.batchSize) \(n($0.updateMedian))" }.joined(separator: ", ")
            let distances = rows.map { "bs \($0.batchSize) \(n($0.distanceMin))" }.joined(separator: ", ")
            let ok = l.updateMedian < s.updateMedian && l.distanceMin < s.distanceMin
            results.append(.init(number: 4, claim: "Larger batch → smaller median update norm and smaller distance from init",
                                 figures: "F8, F6", verdict: verdict(ok),
                                 evidence: "median ‖Δθ‖: \(medians); ‖θ_min − θ_init‖: \(distances)"))
        } else {
            results.append(.init(number: 4, claim: "Larger batch → smaller median update norm and smaller distance from init",
                                 figures: "F8, F6", verdict: .notMeasured, evidence: missing))
        }
        // 5. sharpness at the fixed lr
        let eps = data.settings.epsilon
        func phi(_ r: ReportRun) -> Double? { data.sharpness(batchSize: r.batchSize, lr: r.learningRate)?.phi(near: eps)?.phi }
        let sharpFixed = fixed.filter { phi($0) != nil }
        if let (s, l) = ends(sharpFixed) {
            let all = sharpFixed.map { "bs \($0.batchSize) \(n(phi($0)!))" }.joined(separator: ", ")
            results.append(.init(number: 5, claim: "Larger batch → larger sharpness", figures: "F10",
                                 verdict: verdict(phi(l)! > phi(s)!), evidence: "φ (%): \(all)"))
        } else {
            results.append(.init(number: 5, claim: "Larger batch → larger sharpness", figures: "F10", verdict: .notMeasured,
                                 evidence: "no sharpness results for two batch sizes at \(lr) (sharpness stage not in this pipeline)"))
        }
        // 6. the linear scaling rule closes the validation-loss gap
        if let (fs, fl) = ends(fixed), let (ss, sl) = ends(scaled) {
            let gapFixed = fl.minValLoss - fs.minValLoss, gapScaled = sl.minValLoss - ss.minValLoss
            results.append(.init(number: 6, claim: "The linear scaling rule shrinks the validation-loss gap between the smallest and largest batch",
                                 figures: "F2 vs F13", verdict: verdict(abs(gapScaled) < abs(gapFixed)),
                                 evidence: "gap bs \(fl.batchSize) − bs \(fs.batchSize): \(n(gapFixed)) at \(lr) → \(n(gapScaled)) "
                                    + "with lr \(Float(sl.learningRate)) for bs \(sl.batchSize)"))
        } else {
            results.append(.init(number: 6, claim: "The linear scaling rule shrinks the validation-loss gap between the smallest and largest batch",
                                 figures: "F2 vs F13", verdict: .notMeasured, evidence: "needs both families with two batch sizes"))
        }
        // 7. scaled large-batch minimizers still sharper
        let sharpScaled = scaled.filter { phi($0) != nil }
        if let (s, l) = ends(sharpScaled) {
            results.append(.init(number: 7, claim: "With scaled lr, large-batch minimizers are still sharper than small-batch ones",
                                 figures: "F15", verdict: verdict(phi(l)! > phi(s)!),
                                 evidence: "φ (%): " + sharpScaled.map { "bs \($0.batchSize) (lr \(Float($0.learningRate))) \(n(phi($0)!))" }
                                    .joined(separator: ", ")))
        } else {
            results.append(.init(number: 7, claim: "With scaled lr, large-batch minimizers are still sharper than small-batch ones",
                                 figures: "F15", verdict: .notMeasured,
                                 evidence: "no sharpness results for two batch sizes of the scaled family"))
        }
        return results
    }
}
