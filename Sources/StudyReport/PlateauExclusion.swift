// The protocol fixed in advance for runs that never left the initial plateau: a run whose train stage
// set `plateau_loss` and that reached `max_epochs` without one validation loss below it learned nothing
// to compare (its loss is chance), so the claims treat it as missing. Its replicate block is then not
// complete for that claim's family and drops out through `completeBlocks`; the report names each such run.
import Foundation

extension ReportRun {
    /// Set plateau_loss, hit the epoch cap, never went below it (plateau_left_epoch 0 in its checkpoint).
    public var neverLeftPlateau: Bool { plateauLoss != nil && plateauLeftEpoch == nil && hitCap }
}

extension ReportClaims {
    /// The runs the claims leave out, by learning rate, batch size, replicate.
    static func excludedRuns(_ runs: [ReportRun]) -> [ReportRun] {
        runs.filter(\.neverLeftPlateau).sorted {
            ($0.learningRate, $0.batchSize, $0.replicate) < ($1.learningRate, $1.batchSize, $1.replicate)
        }
    }

    /// "Excluded from the claims (never left the initial plateau …): bs 256, lr 0.01, replicate 9 (…)." ("" when none).
    public static func exclusionsText(_ runs: [ReportRun]) -> String {
        let excluded = excludedRuns(runs)
        guard !excluded.isEmpty else { return "" }
        return "Excluded from the claims (never left the initial plateau: no validation loss below plateau_loss before max_epochs; "
            + "the rule is fixed in the pipeline file before the runs, and the run's replicate drops out of each claim whose "
            + "family it belongs to): " + excluded.map { r in
                "bs \(r.batchSize), lr \(Float(r.learningRate)), replicate \(r.replicate) (lowest val loss "
                    + String(format: "%.4f", r.minValLoss) + " ≥ plateau_loss \(r.plateauLoss!) in \(r.epochsRun) epochs)"
            }.joined(separator: "; ") + "."
    }
}
