// `gc`: delete objects that no kept run references (Store does the work under the lock), or with
// `dryRun` list what would go.
import Foundation
import Store

extension Workspace {
    public func collectGarbage(keepRuns: Int, dryRun: Bool = false, wait: Bool,
                               onWait: (String) -> Void) throws -> String {
        let lock = try self.lock(wait: wait, onWait: onWait)
        defer { lock.release() }
        let artifacts = try openArtifacts()
        let report = try artifacts.gc(keepRuns: keepRuns, dryRun: dryRun)
        guard dryRun else {
            return "kept \(report.keptObjects) objects of the last \(report.keptRuns) runs; deleted \(report.deletedObjects) "
                + "objects, freed \(Format.bytes(report.bytesFreed)) (\(report.bytesFreed) bytes)\n"
        }
        var out = ""
        for object in report.deleted {
            // Which stage wrote it, so the user sees what would have to be rebuilt.
            let producer = try artifacts.index.producers(of: object.hash).first
            out += "would delete \(object.hash.hex)  \(Format.bytes(object.size))"
                + (producer.map { "  \($0.stage) (run \($0.runId))" } ?? "") + "\n"
        }
        return out + "dry run: would keep \(report.keptObjects) objects of the last \(report.keptRuns) runs and delete "
            + "\(report.deletedObjects) objects, freeing \(Format.bytes(report.bytesFreed)) (\(report.bytesFreed) bytes); "
            + "nothing was deleted\n"
    }
}
