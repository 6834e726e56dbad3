// Typed rows of the SQLite run index: runs, stage executions, outputs, parameters, metrics, lineage,
// measurements and object marks. The schema that stores them is in RunIndexSchema.swift.
import Foundation
import GRDB

public enum RunStatus: String, Codable, Sendable, DatabaseValueConvertible {
    /// Started and not finished; after a crash it stays so until `markInterruptedRuns()`.
    case running, succeeded, failed, interrupted
}

public enum ExecutionMode: String, Codable, Sendable, DatabaseValueConvertible {
    /// The body ran. / Outputs were reused from an earlier execution with the same key.
    case executed, cached
}

public enum ExecutionStatus: String, Codable, Sendable, DatabaseValueConvertible {
    /// `interrupted`: a stop request (Ctrl-C, SIGTERM) ended the body; `error` holds the signal and what
    /// the next run resumes from.
    case succeeded, failed, interrupted
}

/// One `batchlab` invocation and the machine it ran on.
public struct RunRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "run"
    public var id: Int64?
    public var startedAt: Date
    public var endedAt: Date?
    public var status: RunStatus
    public var pipelineFile: String
    /// SHA-256 of the pipeline file's bytes.
    public var pipelineHash: String
    /// `--set key=value` overrides, stored as canonical JSON (sorted keys).
    public var overrides: [String: String]
    public var gitCommit: String?
    public var gitDirty: Bool?
    public var host: String
    public var cpuModel: String
    /// The numeric environment the stages ran in, as the caller describes it (the CLI records the
    /// BLAS and convolution kernels: bits differ between kernels). Runs indexed before this map existed
    /// show their one recorded kernel string under "kernels" (migration v2).
    public var environment: [String: String]
    public var threads: Int
    public var toolVersion: String

    public init(id: Int64? = nil, startedAt: Date, endedAt: Date? = nil, status: RunStatus = .running,
                pipelineFile: String, pipelineHash: String, overrides: [String: String] = [:],
                gitCommit: String? = nil, gitDirty: Bool? = nil, host: String, cpuModel: String,
                environment: [String: String] = [:], threads: Int, toolVersion: String) {
        self.id = id
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.pipelineFile = pipelineFile
        self.pipelineHash = pipelineHash
        self.overrides = overrides
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.host = host
        self.cpuModel = cpuModel
        self.environment = environment
        self.threads = threads
        self.toolVersion = toolVersion
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One stage instance in one run: executed or taken from the cache, and how it ended.
public struct ExecutionRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "execution"
    public var id: Int64?
    public var runId: Int64
    /// Instance name, e.g. "train@bs=256,lr=0.01".
    public var stage: String
    /// Stage kind, e.g. "train".
    public var kind: String
    public var codeVersion: String
    /// The cache key (hex SHA-256), computed before the body ran.
    public var key: String
    public var mode: ExecutionMode
    public var status: ExecutionStatus
    public var startedAt: Date
    public var endedAt: Date
    /// Wall seconds (from a monotonic clock; not endedAt − startedAt).
    public var duration: Double
    public var error: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A named output of an execution and the object that holds it.
public struct OutputRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "output"
    public var executionId: Int64
    public var name: String
    public var objectHash: ObjectHash
    public var size: Int64
    /// e.g. "application/x-hdf5", "image/png", "application/json".
    public var mediaType: String
}

/// One parameter of an execution, as canonical JSON text.
public struct ParameterRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "parameter"
    public var executionId: Int64
    public var name: String
    public var value: String
}

/// A named scalar a stage reports; `step` indexes a series (epoch, iteration). Any Double, NaN
/// included: SQLite has no NaN, so the row holds NULL for it (and only for it).
public struct MetricRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "metric"
    public var id: Int64?
    public var executionId: Int64
    public var name: String
    public var value: Double
    public var step: Int?
    public var unit: String?

    public init(id: Int64?, executionId: Int64, name: String, value: Double, step: Int?, unit: String?) {
        self.id = id
        self.executionId = executionId
        self.name = name
        self.value = value
        self.step = step
        self.unit = unit
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    private enum CodingKeys: String, CodingKey { case id, executionId, name, value, step, unit }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(Int64.self, forKey: .id)
        executionId = try c.decode(Int64.self, forKey: .executionId)
        name = try c.decode(String.self, forKey: .name)
        value = try c.decodeIfPresent(Double.self, forKey: .value) ?? .nan
        step = try c.decodeIfPresent(Int.self, forKey: .step)
        unit = try c.decodeIfPresent(String.self, forKey: .unit)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(executionId, forKey: .executionId)
        try c.encode(name, forKey: .name)
        if value.isNaN { try c.encodeNil(forKey: .value) } else { try c.encode(value, forKey: .value) }
        try c.encodeIfPresent(step, forKey: .step)
        try c.encodeIfPresent(unit, forKey: .unit)
    }

    /// NaN is not equal to itself; two records of a NaN metric are.
    public static func == (a: MetricRecord, b: MetricRecord) -> Bool {
        a.id == b.id && a.executionId == b.executionId && a.name == b.name && a.step == b.step && a.unit == b.unit
            && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}

/// Which object an execution consumed as which named input.
public struct LineageRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "lineage"
    public var executionId: Int64
    public var inputName: String
    public var objectHash: ObjectHash
}

/// A measurement that is not content (wall time, throughput, machine detail): a number or a text.
public struct MeasurementRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "measurement"
    public var executionId: Int64
    public var name: String
    public var value: Double?
    public var text: String?
    public var unit: String?
}

public enum ObjectState: String, Codable, Sendable, DatabaseValueConvertible {
    /// Found damaged / found absent by `verify` or a lookup; deliberately deleted by `gc`.
    case corrupted, missing, collected
}

/// An object found bad by `verify` (or a lookup) or deleted by `gc`: cache lookups skip executions that produced it.
public struct ObjectMarkRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "objectMark"
    public var objectHash: ObjectHash
    public var state: ObjectState
    public var detectedAt: Date
}

extension ObjectHash: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { hex.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> ObjectHash? {
        String.fromDatabaseValue(dbValue).flatMap { ObjectHash(hex: $0) }
    }
}
