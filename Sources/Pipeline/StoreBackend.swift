// The ArtifactStore the executor uses in production: Store's object store and SQLite run index.
// Cheap checks only (stat + recorded size); rehashing is for inputs about to be read and `verify`.
import Foundation
import Store

public final class StoreBackend: ArtifactStore, @unchecked Sendable {
    public let artifacts: Artifacts

    public init(_ artifacts: Artifacts) { self.artifacts = artifacts }

    // MARK: - CacheLookup

    public func execution(forKey key: String) throws -> PastExecution? {
        guard let entry = try artifacts.index.cacheEntry(forKey: key) else { return nil }
        return PastExecution(key: key, material: nil, outputs: entry.outputs.mapValues(Self.record),
                             succeeded: true, error: nil)
    }

    public func lastExecution(ofStage name: String) throws -> PastExecution? {
        guard let last = try artifacts.index.history(ofStage: name, limit: 8).first(where: { $0.stage == name }),
              let id = last.id else { return nil }
        let rows = KeyRows.split(try artifacts.index.parameters(ofExecution: id))
        let inputs = Lineage.unflatten(try artifacts.index.inputs(ofExecution: id).mapValues(\.hex))
        let material = KeyMaterial(kind: last.kind, codeVersion: Int(last.codeVersion) ?? -1,
                                   canonicalParameters: rows.parameters, inputs: inputs, external: rows.external,
                                   numeric: rows.numeric)
        let outputs = try artifacts.index.outputs(ofExecution: id)
        var past = PastExecution(key: last.key, material: material,
                                 outputs: Dictionary(uniqueKeysWithValues: outputs.map { ($0.name, Self.record($0)) }),
                                 succeeded: last.status == .succeeded, error: last.error)
        past.interrupted = last.status == .interrupted
        return past
    }

    public func externalChange(from old: String, to new: String) -> ExternalChange? {
        ExternalFingerprint.change(from: old, to: new, cacheDirectory: artifacts.root.appendingPathComponent("external"))
    }

    public func state(of object: StoredObject) -> ObjectPresence {
        // A mark left by verify or gc wins over what stat sees (a flipped byte keeps the size).
        switch try? artifacts.index.mark(of: object.hash) {
        case .corrupted: return .corrupted
        case .collected: return .collected
        case .missing, nil: break
        }
        var info = stat()
        guard stat(artifacts.objects.url(of: object.hash).path, &info) == 0 else { return .missing }
        return Int64(info.st_size) == object.size ? .present : .damaged
    }

    // MARK: - Objects

    public func url(of object: StoredObject) -> URL {
        artifacts.objects.url(of: object.hash)
    }

    public func isIntact(_ object: StoredObject) throws -> Bool {
        artifacts.objects.check(object.hash) == .ok
    }

    public func ingest(_ file: URL) throws -> StoredObject {
        try artifacts.objects.put(file: file)
    }

    public func makeScratch(for stage: String) throws -> URL {
        try artifacts.objects.makeScratchDirectory()
    }

    // MARK: - Runs

    public func beginRun(_ info: RunInfo) throws -> Int64 {
        let provenance = Provenance.current()
        let overrides = Dictionary(info.overrides.map { text -> (String, String) in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }, uniquingKeysWith: { _, last in last })
        let run = try artifacts.index.beginRun(RunRecord(
            startedAt: Date(), pipelineFile: info.pipelineFile, pipelineHash: info.pipelineHash, overrides: overrides,
            gitCommit: provenance.gitCommit, gitDirty: provenance.gitDirty, host: provenance.host,
            cpuModel: provenance.cpuModel, environment: info.environment, threads: info.threadsPerStage * info.jobs,
            toolVersion: Provenance.toolVersion))
        return run.id!
    }

    public func record(_ outcome: ExecutionOutcome, run: Int64) throws {
        try artifacts.index.record(completion(outcome, run: run))
    }

    public func record(_ outcomes: [ExecutionOutcome], run: Int64) throws {
        try artifacts.index.record(outcomes.map { completion($0, run: run) })
    }

    private func completion(_ outcome: ExecutionOutcome, run: Int64) -> StageCompletion {
        let outputs = outcome.outputs.sorted { $0.key < $1.key }.map { name, value in
            StageCompletion.Output(name: name, object: value.0,
                                   mediaType: value.1.mediaType)
        }
        return StageCompletion(
            runId: run, stage: outcome.stage, kind: outcome.kind,
            codeVersion: outcome.material.map { String($0.codeVersion) } ?? "", key: outcome.key ?? "",
            mode: outcome.cached ? .cached : .executed, status: Self.status(outcome.status),
            startedAt: outcome.start, endedAt: outcome.end, duration: outcome.end.timeIntervalSince(outcome.start),
            error: outcome.error, outputs: outputs, parameters: outcome.material.map(KeyRows.join) ?? [:],
            metrics: outcome.metrics.sorted { $0.key < $1.key }.map { StageCompletion.Metric(name: $0.key, value: $0.value) },
            inputs: Lineage.flatten(outcome.inputs).mapValues(\.hash),
            measurements: outcome.measurements.sorted { $0.key < $1.key }.map {
                StageCompletion.Measurement(name: $0.key, value: $0.value)
            } + (outcome.cached ? [] : [StageCompletion.Measurement(name: "threads", value: Double(outcome.threads))]))
    }

    public func finishRun(_ run: Int64, status: RunResult) throws {
        let mapped: Store.RunStatus = switch status {
        case .running: .running
        case .succeeded: .succeeded
        case .failed: .failed
        case .interrupted: .interrupted
        }
        try artifacts.index.finishRun(id: run, status: mapped)
    }

    static func status(_ result: StageResult) -> ExecutionStatus {
        switch result {
        case .succeeded: .succeeded
        case .failed: .failed
        case .interrupted: .interrupted
        }
    }

    static func record(_ output: OutputRecord) -> StoredObject {
        StoredObject(hash: output.objectHash, size: output.size)
    }
}

/// The key material beyond parameters is kept in the index beside them, one row each: an external-input
/// fingerprint as `external:NAME` and a numeric environment component as `numeric:NAME`, holding the
/// value as a JSON string (no parameter name contains a colon); `show` lists them too.
enum KeyRows {
    static let externalPrefix = "external:"
    static let numericPrefix = "numeric:"

    static func join(_ material: KeyMaterial) -> [String: String] {
        var rows = material.parameters
        for (name, fingerprint) in material.external { rows[externalPrefix + name] = CanonicalJSON.quote(fingerprint) }
        for (name, value) in material.numeric { rows[numericPrefix + name] = CanonicalJSON.quote(value) }
        return rows
    }

    static func split(_ rows: [String: String])
        -> (parameters: [String: String], external: [String: String], numeric: [String: String]) {
        var parameters: [String: String] = [:], external: [String: String] = [:], numeric: [String: String] = [:]
        for (name, value) in rows {
            let text = try? JSONDecoder().decode(String.self, from: Data(value.utf8))
            if name.hasPrefix(externalPrefix), let text {
                external[String(name.dropFirst(externalPrefix.count))] = text
            } else if name.hasPrefix(numericPrefix), let text {
                numeric[String(name.dropFirst(numericPrefix.count))] = text
            } else {
                parameters[name] = value
            }
        }
        return (parameters, external, numeric)
    }
}

/// Lineage rows hold one object per input name: a list input `values` becomes `values[0]`, `values[1]`…
enum Lineage {
    static func flatten<T>(_ inputs: [String: [T]]) -> [String: T] {
        var flat: [String: T] = [:]
        for (name, objects) in inputs {
            for (i, object) in objects.enumerated() { flat["\(name)[\(i)]"] = object }
        }
        return flat
    }

    static func unflatten(_ flat: [String: String]) -> [String: [String]] {
        var indexed: [String: [(Int, String)]] = [:]
        for (name, hash) in flat {
            if let open = name.lastIndex(of: "["), name.hasSuffix("]"),
               let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indexed[String(name[..<open]), default: []].append((i, hash))
            } else {
                indexed[name, default: []].append((0, hash))
            }
        }
        return indexed.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) }
    }
}

extension OutputFormat {
    public var mediaType: String {
        switch self {
        case .hdf5: "application/x-hdf5"
        case .json: "application/json"
        case .text: "text/plain"
        case .csv: "text/csv"
        case .tsv: "text/tab-separated-values"
        case .png: "image/png"
        case .svg: "image/svg+xml"
        case .html: "text/html"
        case .binary: "application/octet-stream"
        }
    }
}
