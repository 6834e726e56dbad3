// The provenance block of the published report (read from the run index by the publish step, never
// stored in the report object): the run that published the page (commit, pipeline file hash, overrides,
// machine, numeric environment, threads), the execution that built the report, and the run's stages.
import Foundation
import Store

public struct ReportProvenance {
    /// The run that publishes the page.
    public var run: RunRecord
    public var runID: Int64
    /// The execution whose body wrote the report object (an earlier run's when this one reused it).
    public var builtBy: ExecutionRecord?
    /// Every execution of the publishing run.
    public var stages: [ExecutionRecord] = []

    public init(run: RunRecord, runID: Int64, builtBy: ExecutionRecord?, stages: [ExecutionRecord] = []) {
        self.run = run
        self.runID = runID
        self.builtBy = builtBy
        self.stages = stages
    }
}
