// The SQLite run index (GRDB DatabasePool, WAL): opening and migrating, and every write.
// One stage's completion is written in ONE transaction, after its objects are safely in the store.
import Foundation
import GRDB

/// What one finished stage instance wrote, consumed and measured: recorded by `RunIndex.record(_:)`.
public struct StageCompletion: Sendable {
    public struct Output: Sendable, Equatable {
        public var name: String
        public var object: StoredObject
        public var mediaType: String
        public init(name: String, object: StoredObject, mediaType: String) {
            self.name = name
            self.object = object
            self.mediaType = mediaType
        }
    }

    public struct Metric: Sendable, Equatable {
        public var name: String
        public var value: Double
        public var step: Int?
        public var unit: String?
        public init(name: String, value: Double, step: Int? = nil, unit: String? = nil) {
            self.name = name
            self.value = value
            self.step = step
            self.unit = unit
        }
    }

    public struct Measurement: Sendable, Equatable {
        public var name: String
        public var value: Double?
        public var text: String?
        public var unit: String?
        public init(name: String, value: Double? = nil, text: String? = nil, unit: String? = nil) {
            self.name = name
            self.value = value
            self.text = text
            self.unit = unit
        }
    }

    public var runId: Int64
    public var stage: String
    public var kind: String
    public var codeVersion: String
    public var key: String
    public var mode: ExecutionMode
    public var status: ExecutionStatus
    public var startedAt: Date
    public var endedAt: Date
    public var duration: Double
    public var error: String?
    public var outputs: [Output]
    /// Parameter name → canonical JSON text of its value.
    public var parameters: [String: String]
    public var metrics: [Metric]
    /// Input name → the object consumed.
    public var inputs: [String: ObjectHash]
    public var measurements: [Measurement]

    public init(runId: Int64, stage: String, kind: String, codeVersion: String, key: String, mode: ExecutionMode,
                status: ExecutionStatus, startedAt: Date, endedAt: Date, duration: Double, error: String? = nil,
                outputs: [Output] = [], parameters: [String: String] = [:], metrics: [Metric] = [],
                inputs: [String: ObjectHash] = [:], measurements: [Measurement] = []) {
        self.runId = runId
        self.stage = stage
        self.kind = kind
        self.codeVersion = codeVersion
        self.key = key
        self.mode = mode
        self.status = status
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.duration = duration
        self.error = error
        self.outputs = outputs
        self.parameters = parameters
        self.metrics = metrics
        self.inputs = inputs
        self.measurements = measurements
    }
}

/// The run index at `artifacts/index.sqlite`. Safe to share between threads (GRDB serialises writes).
public final class RunIndex: Sendable {
    public let url: URL
    let pool: DatabasePool

    /// Opens (creating if needed) and migrates the index at `url`.
    public init(url: URL) throws {
        self.url = url
        do {
            try FileIO.makeDirectory(url.deletingLastPathComponent().path)
            var config = Configuration()
            config.foreignKeysEnabled = true
            // A second process waiting on a write is normal (a reader, or `batchlab runs` during a run).
            config.busyMode = .timeout(10)
            pool = try DatabasePool(path: url.path, configuration: config)
            try RunIndexSchema.migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.wrap(error, "open", url.path)
        }
    }

    /// Opens the index of an artifacts folder: `root/index.sqlite`.
    public convenience init(root: URL) throws {
        try self.init(url: root.appendingPathComponent("index.sqlite"))
    }

    /// Closes the database (its -wal and -shm files stay beside it, as WAL does).
    public func close() throws {
        try guarded("close") { try pool.close() }
    }

    // MARK: - Runs

    /// Inserts a run (status `.running` unless set) and returns it with its id.
    public func beginRun(_ run: RunRecord) throws -> RunRecord {
        try guarded("record a new run") {
            try pool.write { db in
                var run = run
                try run.insert(db)
                return run
            }
        }
    }

    /// Sets a run's final status and end time.
    public func finishRun(id: Int64, status: RunStatus, endedAt: Date = Date()) throws {
        try guarded("finish run \(id)") {
            try pool.write { db in
                guard var run = try RunRecord.fetchOne(db, key: id) else {
                    throw StoreError.unknownRun(id: id, path: url.path)
                }
                run.status = status
                run.endedAt = endedAt
                try run.update(db)
            }
        }
    }

    /// Marks runs still `.running` as `.interrupted` (their process died). Call only while holding the
    /// `ArtifactsLock`, when no other run can be in progress. Returns how many were marked.
    @discardableResult
    public func markInterruptedRuns() throws -> Int {
        try guarded("mark interrupted runs") {
            try pool.write { db in
                // A killed run ended when its last stage did (or when it started), not when the next
                // command noticed: the idle time in between is not its wall time.
                try db.execute(sql: """
                    UPDATE run SET status = ?, endedAt = COALESCE(
                        (SELECT MAX(e.endedAt) FROM execution e WHERE e.runId = run.id), run.startedAt)
                    WHERE status = ?
                    """, arguments: [RunStatus.interrupted, RunStatus.running])
                return db.changesCount
            }
        }
    }

    // MARK: - Stage completions

    /// Records one finished stage instance (execution row, outputs, parameters, metrics, lineage,
    /// measurements) in one transaction. Call it after the outputs are in the object store.
    /// A succeeded execution's outputs lose any corrupted/missing mark: they were just written again.
    @discardableResult
    public func record(_ completion: StageCompletion) throws -> ExecutionRecord {
        try guarded("record stage \(completion.stage)") {
            try pool.write { db in try Self.insert(completion, db) }
        }
    }

    /// Records several completions in ONE transaction (e.g. the many cache reuses of one scheduling
    /// pass: one commit, one WAL sync, instead of one per stage).
    @discardableResult
    public func record(_ completions: [StageCompletion]) throws -> [ExecutionRecord] {
        guard !completions.isEmpty else { return [] }
        return try guarded("record \(completions.count) stage completions") {
            try pool.write { db in try completions.map { try Self.insert($0, db) } }
        }
    }

    private static func insert(_ completion: StageCompletion, _ db: Database) throws -> ExecutionRecord {
        var execution = ExecutionRecord(
            id: nil, runId: completion.runId, stage: completion.stage, kind: completion.kind,
            codeVersion: completion.codeVersion, key: completion.key, mode: completion.mode,
            status: completion.status, startedAt: completion.startedAt, endedAt: completion.endedAt,
            duration: completion.duration, error: completion.error)
        try execution.insert(db)
        let id = execution.id!
        for output in completion.outputs {
            try OutputRecord(executionId: id, name: output.name, objectHash: output.object.hash,
                             size: output.object.size, mediaType: output.mediaType).insert(db)
            if completion.status == .succeeded, completion.mode == .executed {
                try ObjectMarkRecord.deleteOne(db, key: output.object.hash.hex)
            }
        }
        for (name, value) in completion.parameters.sorted(by: { $0.key < $1.key }) {
            try ParameterRecord(executionId: id, name: name, value: value).insert(db)
        }
        for metric in completion.metrics {
            var row = MetricRecord(id: nil, executionId: id, name: metric.name, value: metric.value,
                                   step: metric.step, unit: metric.unit)
            try row.insert(db)
        }
        for (name, hash) in completion.inputs.sorted(by: { $0.key < $1.key }) {
            try LineageRecord(executionId: id, inputName: name, objectHash: hash).insert(db)
        }
        for m in completion.measurements {
            try MeasurementRecord(executionId: id, name: m.name, value: m.value, text: m.text, unit: m.unit).insert(db)
        }
        return execution
    }

    // MARK: - Object marks

    /// Marks an object corrupted or missing: cache lookups then skip every execution that produced it,
    /// so the next reproduce rebuilds it. Recording a new successful execution of it clears the mark.
    public func mark(_ hash: ObjectHash, _ state: ObjectState, at date: Date = Date()) throws {
        try mark([hash], state, at: date)
    }

    /// Marks many objects in one transaction.
    public func mark(_ hashes: [ObjectHash], _ state: ObjectState, at date: Date = Date()) throws {
        guard !hashes.isEmpty else { return }
        try guarded("mark \(hashes.count) object(s) \(state.rawValue)") {
            try pool.write { db in
                for hash in hashes { try ObjectMarkRecord(objectHash: hash, state: state, detectedAt: date).upsert(db) }
            }
        }
    }

    /// How `verify`, a lookup or `gc` last found the object, if it is marked.
    public func mark(of hash: ObjectHash) throws -> ObjectState? {
        try guarded("read the mark of \(hash.short)") {
            try pool.read { db in try ObjectMarkRecord.fetchOne(db, key: hash.hex)?.state }
        }
    }

    /// Removes a mark (e.g. after an object was restored by hand).
    public func clearMark(_ hash: ObjectHash) throws {
        try guarded("clear the mark of \(hash.short)") {
            _ = try pool.write { db in try ObjectMarkRecord.deleteOne(db, key: hash.hex) }
        }
    }

    // MARK: - Errors

    /// Runs `body`, turning GRDB errors into `StoreError.index` that name the database and the operation.
    func guarded<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.wrap(error, operation, url.path)
        }
    }

    static func wrap(_ error: Error, _ operation: String, _ path: String) -> StoreError {
        if let db = error as? DatabaseError {
            switch db.resultCode {
            case .SQLITE_FULL: return .indexFull(operation: operation, path: path)
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
                return .notWritable(path: path, reason: db.message ?? "\(db.resultCode)")
            default: return .index(operation: operation, path: path, reason: db.message ?? "\(db)")
            }
        }
        return .index(operation: operation, path: path, reason: "\(error)")
    }
}
