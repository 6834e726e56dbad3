// `gc`: delete objects no kept run references, and report the bytes freed. Hold the ArtifactsLock.
import Foundation

public struct GCReport: Sendable, Equatable, Codable {
    public var keptRuns: Int
    public var keptObjects: Int
    public var deletedObjects: Int
    public var bytesFreed: Int64
}

extension Artifacts {
    /// Deletes every object not written, reused or consumed by the newest `keepRuns` runs, and clears
    /// the scratch folder. Executions of older runs stay in the index (history); their deleted objects are
    /// marked `collected`, so a cache lookup skips them (the stage runs again) and `verify` does not call
    /// them missing.
    public func gc(keepRuns: Int) throws -> GCReport {
        precondition(keepRuns >= 0, "keepRuns must be ≥ 0")
        let kept = try index.referencedObjects(inLastRuns: keepRuns)
        var report = GCReport(keptRuns: min(keepRuns, try index.runs(limit: keepRuns).count),
                              keptObjects: 0, deletedObjects: 0, bytesFreed: 0)
        var deleted: [ObjectHash] = []
        for hash in try objects.allObjects() {
            if kept.contains(hash) {
                report.keptObjects += 1
            } else {
                report.bytesFreed += try objects.remove(hash)
                deleted.append(hash)
            }
        }
        report.deletedObjects = deleted.count
        try index.mark(deleted, .collected)
        try objects.cleanScratch()
        return report
    }
}
