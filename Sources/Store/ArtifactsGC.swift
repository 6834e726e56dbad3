// `gc`: delete objects no kept run references, and report the bytes freed. Hold the ArtifactsLock.
import Foundation

public struct GCReport: Sendable, Equatable, Codable {
    public var keptRuns: Int
    public var keptObjects: Int
    public var deletedObjects: Int
    public var bytesFreed: Int64
    /// The objects deleted (or, in a dry run, that would be), with their sizes.
    public var deleted: [Deleted] = []
    public var dryRun = false

    public struct Deleted: Sendable, Equatable, Codable {
        public let hash: ObjectHash
        public let size: Int64
    }
}

extension Artifacts {
    /// Deletes every object not written, reused or consumed by the newest `keepRuns` runs, and clears
    /// the scratch folder. Executions of older runs stay in the index (history); their deleted objects are
    /// marked `collected`, so a cache lookup skips them (the stage runs again) and `verify` does not call
    /// them missing.
    /// With `dryRun`, deletes and marks nothing and reports what would go.
    public func gc(keepRuns: Int, dryRun: Bool = false) throws -> GCReport {
        precondition(keepRuns >= 0, "keepRuns must be ≥ 0")
        let kept = try index.referencedObjects(inLastRuns: keepRuns)
        var report = GCReport(keptRuns: min(keepRuns, try index.runs(limit: keepRuns).count),
                              keptObjects: 0, deletedObjects: 0, bytesFreed: 0, dryRun: dryRun)
        for hash in try objects.allObjects() {
            if kept.contains(hash) {
                report.keptObjects += 1
                continue
            }
            let size = dryRun ? FileIO.size(objects.url(of: hash).path) ?? 0 : try objects.remove(hash)
            report.bytesFreed += size
            report.deleted.append(.init(hash: hash, size: size))
        }
        report.deletedObjects = report.deleted.count
        if dryRun { return report }
        try index.mark(report.deleted.map(\.hash), .collected)
        try objects.cleanScratch()
        return report
    }
}
