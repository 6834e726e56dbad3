// Cluster jobs in flight: which scheduler job computes which cache key. Written only by the process
// that runs the DAG (never by the jobs), so that a controller killed with -9 finds its jobs again.
import Foundation
import GRDB

/// A job submitted for one stage instance (its cache key) and not yet taken in.
public struct ClusterJobRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "clusterJob"
    public var key: String
    public var stage: String
    /// The scheduler's id: `1234` for a single job, `1234_5` for an array task.
    public var jobId: String
    /// The job's folder (job file, receipt, outputs, logs) on the shared filesystem.
    public var folder: String
    /// 1 for the first submission, 2 after the first retry, …
    public var attempt: Int
    public var submittedAt: Date

    public init(key: String, stage: String, jobId: String, folder: String, attempt: Int, submittedAt: Date = Date()) {
        self.key = key
        self.stage = stage
        self.jobId = jobId
        self.folder = folder
        self.attempt = attempt
        self.submittedAt = submittedAt
    }
}

extension RunIndex {
    /// Records (or replaces) the jobs of one submission in one transaction.
    public func recordClusterJobs(_ jobs: [ClusterJobRecord]) throws {
        guard !jobs.isEmpty else { return }
        try guarded("record \(jobs.count) cluster job(s)") {
            try pool.write { db in for job in jobs { try job.upsert(db) } }
        }
    }

    /// The job in flight for a cache key, if any.
    public func clusterJob(forKey key: String) throws -> ClusterJobRecord? {
        try guarded("read the cluster job of \(key.prefix(12))") {
            try pool.read { db in try ClusterJobRecord.fetchOne(db, key: key) }
        }
    }

    /// Every job in flight (what `batchlab` would re-attach to).
    public func clusterJobs() throws -> [ClusterJobRecord] {
        try guarded("list cluster jobs") { try pool.read { db in try ClusterJobRecord.fetchAll(db) } }
    }

    /// Forgets a job once its outcome is taken in (or it was cancelled).
    public func removeClusterJob(key: String) throws {
        try guarded("forget the cluster job of \(key.prefix(12))") {
            _ = try pool.write { db in try ClusterJobRecord.deleteOne(db, key: key) }
        }
    }
}
