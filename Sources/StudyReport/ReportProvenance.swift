// The provenance block of the report (read from the run index by the report stage): the run that built the report (commit,
// pipeline file hash, overrides, machine, BLAS kernel, threads), its stages (executed or cached,
// seconds), and the runs whose wall-time measurements the timing figures show.
import Foundation
import Store

public struct ReportProvenance {
    public var run: RunRecord?
    public var runID: Int64?
    public var stages: [ExecutionRecord] = []
    /// "bs 32, lr 0.01" → (run, execution) whose measurements are shown.
    public var timingSources: [(label: String, run: Int64, execution: Int64)] = []

    public init(run: RunRecord? = nil, runID: Int64?, stages: [ExecutionRecord] = [],
                timingSources: [(label: String, run: Int64, execution: Int64)] = []) {
        self.run = run
        self.runID = runID
        self.stages = stages
        self.timingSources = timingSources
    }
}
