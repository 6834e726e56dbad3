// The provenance block of the report (read from the run index by the report stage): the run that built the report (commit,
// pipeline file hash, overrides, machine, BLAS kernel, threads), its stages (executed or cached,
// seconds).
import Foundation
import Store

public struct ReportProvenance {
    public var run: RunRecord?
    public var runID: Int64?
    public var stages: [ExecutionRecord] = []

    public init(run: RunRecord? = nil, runID: Int64?, stages: [ExecutionRecord] = []) {
        self.run = run
        self.runID = runID
        self.stages = stages
    }
}
