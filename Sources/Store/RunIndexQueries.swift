// Read queries of the run index: what the CLI's runs, show, status, diff, gc and the cache lookup need.
import Foundation
import GRDB

/// A reusable earlier execution for a cache key, with its outputs by name.
public struct CacheEntry: Sendable, Equatable {
    public let execution: ExecutionRecord
    public let outputs: [String: OutputRecord]
}

/// One output of a run, with the stage instance that produced (or reused) it.
public struct RunOutput: Sendable, Equatable, Codable, FetchableRecord {
    public let stage: String
    public let name: String
    public let objectHash: ObjectHash
    public let size: Int64
    public let mediaType: String
}

extension RunIndex {
    // MARK: - Runs

    /// Runs, newest first; `limit` nil for all.
    public func runs(limit: Int? = nil) throws -> [RunRecord] {
        try guarded("list runs") {
            try pool.read { db in
                let request = RunRecord.order(Column("id").desc)
                return try (limit.map { request.limit($0) } ?? request).fetchAll(db)
            }
        }
    }

    /// One run, or nil.
    public func run(id: Int64) throws -> RunRecord? {
        try guarded("read run \(id)") { try pool.read { db in try RunRecord.fetchOne(db, key: id) } }
    }

    /// The executions of a run in the order they were recorded.
    public func executions(ofRun runId: Int64) throws -> [ExecutionRecord] {
        try guarded("read executions of run \(runId)") {
            try pool.read { db in
                try ExecutionRecord.filter(Column("runId") == runId).order(Column("id")).fetchAll(db)
            }
        }
    }

    /// Executions of a stage instance ("train@bs=256") or of every instance of a group ("train"), newest first.
    public func history(ofStage name: String, limit: Int? = nil) throws -> [ExecutionRecord] {
        try guarded("read the history of \(name)") {
            try pool.read { db in
                let request = ExecutionRecord
                    .filter(sql: "stage = ? OR substr(stage, 1, ?) = ?",
                            arguments: [name, name.unicodeScalars.count + 1, name + "@"])
                    .order(Column("id").desc)
                return try (limit.map { request.limit($0) } ?? request).fetchAll(db)
            }
        }
    }

    /// The newest succeeded execution of a stage instance (what `status` compares against to say WHY it is stale).
    public func latestSucceeded(stage: String) throws -> ExecutionRecord? {
        try latestSucceeded(stages: [stage])[stage]
    }

    /// `latestSucceeded(stage:)` for many stage instances in one read transaction.
    public func latestSucceeded(stages: [String]) throws -> [String: ExecutionRecord] {
        try guarded("read the latest executions of \(stages.count) stage(s)") {
            try pool.read { db in
                var result: [String: ExecutionRecord] = [:]
                for stage in Set(stages) {
                    result[stage] = try ExecutionRecord
                        .filter(Column("stage") == stage && Column("status") == ExecutionStatus.succeeded)
                        .order(Column("id").desc).fetchOne(db)
                }
                return result
            }
        }
    }

    /// One execution, or nil.
    public func execution(id: Int64) throws -> ExecutionRecord? {
        try guarded("read execution \(id)") { try pool.read { db in try ExecutionRecord.fetchOne(db, key: id) } }
    }

    // MARK: - Cache

    /// The newest succeeded execution with `key` none of whose outputs is marked corrupted, missing or collected.
    /// The index only: `Artifacts.cacheLookup` also checks that the objects exist.
    public func cacheEntry(forKey key: String) throws -> CacheEntry? {
        try cacheEntries(forKeys: [key])[key]
    }

    /// `cacheEntry(forKey:)` for many keys in one read transaction (status and planning of a whole pipeline).
    public func cacheEntries(forKeys keys: [String]) throws -> [String: CacheEntry] {
        try guarded("look up \(keys.count) cache key(s)") {
            try pool.read { db in
                var result: [String: CacheEntry] = [:]
                for key in Set(keys) {
                    let sql = """
                        SELECT * FROM execution e
                        WHERE e.key = ? AND e.status = 'succeeded'
                          AND NOT EXISTS (SELECT 1 FROM output o JOIN objectMark m ON m.objectHash = o.objectHash
                                          WHERE o.executionId = e.id)
                        ORDER BY e.id DESC LIMIT 1
                        """
                    guard let execution = try ExecutionRecord.fetchOne(db, sql: sql, arguments: [key]) else { continue }
                    let outputs = try OutputRecord.filter(Column("executionId") == execution.id!).fetchAll(db)
                    result[key] = CacheEntry(execution: execution,
                                             outputs: Dictionary(uniqueKeysWithValues: outputs.map { ($0.name, $0) }))
                }
                return result
            }
        }
    }

    // MARK: - Details of one execution

    public func outputs(ofExecution id: Int64) throws -> [OutputRecord] {
        try guarded("read outputs of execution \(id)") {
            try pool.read { db in try OutputRecord.filter(Column("executionId") == id).order(Column("name")).fetchAll(db) }
        }
    }

    /// Parameter name → canonical JSON text.
    public func parameters(ofExecution id: Int64) throws -> [String: String] {
        try guarded("read parameters of execution \(id)") {
            try pool.read { db in
                let rows = try ParameterRecord.filter(Column("executionId") == id).fetchAll(db)
                return Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0.value) })
            }
        }
    }

    /// Metrics in the order they were reported.
    public func metrics(ofExecution id: Int64) throws -> [MetricRecord] {
        try guarded("read metrics of execution \(id)") {
            try pool.read { db in try MetricRecord.filter(Column("executionId") == id).order(Column("id")).fetchAll(db) }
        }
    }

    /// Input name → object consumed.
    public func inputs(ofExecution id: Int64) throws -> [String: ObjectHash] {
        try guarded("read lineage of execution \(id)") {
            try pool.read { db in
                let rows = try LineageRecord.filter(Column("executionId") == id).fetchAll(db)
                return Dictionary(uniqueKeysWithValues: rows.map { ($0.inputName, $0.objectHash) })
            }
        }
    }

    public func measurements(ofExecution id: Int64) throws -> [MeasurementRecord] {
        try guarded("read measurements of execution \(id)") {
            try pool.read { db in try MeasurementRecord.filter(Column("executionId") == id).order(Column("name")).fetchAll(db) }
        }
    }

    /// The executions (newest first) that consumed an object: who is affected if it is corrupted.
    public func consumers(of hash: ObjectHash) throws -> [ExecutionRecord] {
        try guarded("read consumers of \(hash.short)") {
            try pool.read { db in
                try ExecutionRecord.fetchAll(db, sql: """
                    SELECT e.* FROM execution e JOIN lineage l ON l.executionId = e.id
                    WHERE l.objectHash = ? ORDER BY e.id DESC
                    """, arguments: [hash])
            }
        }
    }

    // MARK: - Runs as a whole (diff, gc, verify)

    /// Every output of a run with its stage instance, ordered by stage then name (for `diff`).
    public func outputs(ofRun runId: Int64) throws -> [RunOutput] {
        try guarded("read outputs of run \(runId)") {
            try pool.read { db in
                try RunOutput.fetchAll(db, sql: """
                    SELECT e.stage AS stage, o.name AS name, o.objectHash AS objectHash, o.size AS size, o.mediaType AS mediaType
                    FROM output o JOIN execution e ON e.id = o.executionId
                    WHERE e.runId = ? ORDER BY e.stage, o.name, e.id
                    """, arguments: [runId])
            }
        }
    }

    /// Objects the newest `count` runs wrote, reused or consumed: what `gc --keep-runs count` keeps.
    public func referencedObjects(inLastRuns count: Int) throws -> Set<ObjectHash> {
        try guarded("read objects of the last \(count) runs") {
            try pool.read { db in
                let hashes = try String.fetchAll(db, sql: """
                    WITH kept AS (SELECT id FROM run ORDER BY id DESC LIMIT ?),
                         ex AS (SELECT id FROM execution WHERE runId IN kept)
                    SELECT objectHash FROM output WHERE executionId IN ex
                    UNION SELECT objectHash FROM lineage WHERE executionId IN ex
                    """, arguments: [count])
                return Set(hashes.compactMap { ObjectHash(hex: $0) })
            }
        }
    }

    /// Every object any execution in the index wrote (for `verify` to find missing ones).
    public func allRecordedObjects() throws -> Set<ObjectHash> {
        try guarded("read all recorded objects") {
            try pool.read { db in
                Set(try String.fetchAll(db, sql: "SELECT DISTINCT objectHash FROM output").compactMap { ObjectHash(hex: $0) })
            }
        }
    }

    /// Objects currently marked corrupted or missing.
    public func marks() throws -> [ObjectMarkRecord] {
        try guarded("read object marks") {
            try pool.read { db in try ObjectMarkRecord.order(Column("objectHash")).fetchAll(db) }
        }
    }
}

extension RunIndex {
    /// The succeeded executions whose body wrote an object (not cache reuses), newest first: where a
    /// stage finds the wall times of the run that produced an input (measurements are not content).
    public func producers(of hash: ObjectHash) throws -> [ExecutionRecord] {
        try guarded("read producers of \(hash.short)") {
            try pool.read { db in
                try ExecutionRecord.fetchAll(db, sql: """
                    SELECT e.* FROM execution e JOIN output o ON o.executionId = e.id
                    WHERE o.objectHash = ? AND e.mode = 'executed' AND e.status = 'succeeded' ORDER BY e.id DESC
                    """, arguments: [hash])
            }
        }
    }

    /// The execution whose body produced what a cache reuse with `key` reused: the newest succeeded,
    /// executed (not cached) one with that key, up to execution `id` (nil: any). Metrics live there.
    public func producer(ofKey key: String, upTo id: Int64? = nil) throws -> ExecutionRecord? {
        try guarded("read the producer of key \(key.prefix(12))") {
            try pool.read { db in
                try ExecutionRecord.fetchOne(db, sql: """
                    SELECT * FROM execution WHERE key = ? AND mode = 'executed' AND status = 'succeeded' AND id <= ?
                    ORDER BY id DESC LIMIT 1
                    """, arguments: [key, id ?? Int64.max])
            }
        }
    }
}
