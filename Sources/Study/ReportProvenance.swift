// The provenance block of the report, from the run index: the run that built the report (commit,
// pipeline file hash, overrides, machine, BLAS kernel, threads), its stages (executed or cached,
// seconds), and the runs whose wall-time measurements the timing figures show.
import Foundation
import Pipeline
import Store

struct ReportProvenance {
    var run: RunRecord?
    var runID: Int64?
    var stages: [ExecutionRecord] = []
    /// "bs 32, lr 0.01" → (run, execution) whose measurements are shown.
    var timingSources: [(label: String, run: Int64, execution: Int64)] = []

    static func gather(_ context: StageContext, data: ReportData) throws -> ReportProvenance {
        var p = ReportProvenance(runID: context.runID)
        if let index = context.index, let id = context.runID {
            p.run = try index.run(id: id)
            p.stages = try index.executions(ofRun: id)
        }
        for r in (data.runs + data.parallelRuns).sorted(by: { ($0.learningRate, $0.batchSize, $0.workers) < ($1.learningRate, $1.batchSize, $1.workers) }) {
            guard let t = r.timing else { continue }
            p.timingSources.append(("bs \(r.batchSize), lr \(Float(r.learningRate))\(r.workers > 1 ? ", \(r.workers) workers" : "")",
                                    t.run, t.execution))
        }
        return p
    }
}
