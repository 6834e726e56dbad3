// `gc`: delete objects that no kept run references (Store does the work under the lock).
import Foundation
import Store

extension Workspace {
    public func collectGarbage(keepRuns: Int, wait: Bool, onWait: (String) -> Void) throws -> String {
        let lock = try self.lock(wait: wait, onWait: onWait)
        defer { lock.release() }
        let report = try openArtifacts().gc(keepRuns: keepRuns)
        return "kept \(report.keptObjects) objects of the last \(report.keptRuns) runs; deleted \(report.deletedObjects) "
            + "objects, freed \(Format.bytes(report.bytesFreed)) (\(report.bytesFreed) bytes)\n"
    }
}
