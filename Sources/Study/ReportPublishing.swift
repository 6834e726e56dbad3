// The report's publish step: the published copy of the page gets the provenance block (which run built
// the report object, which run published it, machine, environment, stage times), read from the run
// index. The stored object has a placeholder instead, so its bytes depend on its cache key only.
import Foundation
import Pipeline
import Store
import StudyReport

public enum ReportPublishing {
    @Sendable
    public static func addProvenance(_ copy: PublishedCopy) throws {
        let page = copy.folder.appendingPathComponent("index.html")
        let text = try String(contentsOf: page, encoding: .utf8)
        guard let run = try copy.index.run(id: copy.run) else { return }
        let builtBy = copy.execution.mode == .executed ? copy.execution
            : try copy.index.producer(ofKey: copy.execution.key, upTo: copy.execution.id)
        let provenance = ReportProvenance(run: run, runID: copy.run, builtBy: builtBy,
                                          stages: try copy.index.executions(ofRun: copy.run))
        // A page without the placeholder is left as it is (it came from another code version).
        guard let published = ReportPage.publishing(text, provenance: provenance) else { return }
        try Data(published.utf8).write(to: page)
    }
}
