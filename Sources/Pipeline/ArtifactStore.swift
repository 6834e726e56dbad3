// What the executor needs from storage, as a protocol: the engine depends on this seam, the
// Store-backed implementation (StoreBackend) plugs in below it, tests may use their own.
import Foundation
import Store

/// Facts about a run, recorded when it starts.
public struct RunInfo: Sendable {
    public var pipelineFile: String
    public var pipelineHash: String
    public var overrides: [String]
    public var command: String
    public var jobs: Int
    public var threadsPerStage: Int
    /// The numeric environment the stages run in (kernel names...), recorded with the run as given.
    public var environment: [String: String]

    public init(pipelineFile: String, pipelineHash: String, overrides: [String], command: String, jobs: Int,
                threadsPerStage: Int) {
        self.pipelineFile = pipelineFile
        self.pipelineHash = pipelineHash
        self.overrides = overrides
        self.command = command
        self.jobs = jobs
        self.threadsPerStage = threadsPerStage
        self.environment = [:]
    }
}

public enum RunResult: String, Sendable { case running, succeeded, failed, interrupted }

public enum StageResult: String, Sendable { case succeeded, failed, interrupted }

/// One stage execution (or cache reuse), recorded in the index in one transaction.
public struct ExecutionOutcome: Sendable {
    public let stage: String
    public let kind: String
    public let key: String?
    public let material: KeyMaterial?
    public let cached: Bool
    public let status: StageResult
    public let start: Date
    public let end: Date
    public let error: String?
    public let outputs: [String: (StoredObject, OutputFormat)]
    public let inputs: [String: [StoredObject]]
    public let metrics: [String: Double]
    public let measurements: [String: Double]
    public let threads: Int
}

public protocol ArtifactStore: CacheLookup, AnyObject {
    /// Where an object lives (read-only).
    func url(of object: StoredObject) -> URL
    /// Rehashes an object and compares with its record (inputs are checked before a body reads them).
    func isIntact(_ object: StoredObject) throws -> Bool
    /// Moves a finished file into the object store (temp + fsync + rename, deduplicated).
    func ingest(_ file: URL) throws -> StoredObject
    /// A fresh private scratch folder for one stage body.
    func makeScratch(for stage: String) throws -> URL
    func beginRun(_ info: RunInfo) throws -> Int64
    func record(_ outcome: ExecutionOutcome, run: Int64) throws
    /// Several outcomes in one index transaction (the cache reuses of one scheduling pass).
    func record(_ outcomes: [ExecutionOutcome], run: Int64) throws
    func finishRun(_ run: Int64, status: RunResult) throws
}
