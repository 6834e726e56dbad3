// Freshness: whether an instance's recorded outputs can be reused, and if not, why. Shared by
// `status` (which only reports) and the executor (which decides per stage as upstream results arrive).
import Store

/// A past execution of an instance, as the run index remembers it.
public struct PastExecution: Sendable {
    public let key: String
    public let material: KeyMaterial?
    public let outputs: [String: StoredObject]
    public let succeeded: Bool
    public let error: String?
    /// A stop request ended it (then `error` says which signal and what the next run resumes from).
    public var interrupted = false

    public init(key: String, material: KeyMaterial?, outputs: [String: StoredObject], succeeded: Bool, error: String?) {
        self.key = key
        self.material = material
        self.outputs = outputs
        self.succeeded = succeeded
        self.error = error
    }
}

/// What a cheap check (stat: exists, size) says about an object; only `verify` rehashes everything.
public enum ObjectPresence: Sendable, Equatable {
    case present, missing
    /// Its size differs from the record.
    case damaged
    /// `verify` found its bytes no longer match its hash (the index keeps the mark).
    case corrupted
    /// `gc` deleted it.
    case collected
}

/// The read side of the run index and object store that freshness needs.
public protocol CacheLookup {
    /// The latest successful execution with this key, if any.
    func execution(forKey key: String) throws -> PastExecution?
    /// The latest execution (successful or not) of the instance with this name.
    func lastExecution(ofStage name: String) throws -> PastExecution?
    func state(of object: StoredObject) -> ObjectPresence
    /// The files that differ between two fingerprints of an external input, when known.
    func externalChange(from old: String, to new: String) -> ExternalChange?
}

extension CacheLookup {
    public func externalChange(from old: String, to new: String) -> ExternalChange? { nil }
}

/// Why an instance must run.
public enum StaleReason: Sendable, Equatable, CustomStringConvertible {
    case neverRun
    case forced
    case kindChanged(old: String, new: String)
    case codeVersionChanged(old: Int, new: Int)
    case parameterChanged(name: String, old: String, new: String)
    case parameterAdded(name: String, value: String)
    case parameterRemoved(name: String)
    case inputChanged(name: String)
    case externalChanged(name: String, change: ExternalChange?)
    /// The numeric environment (BLAS core, conv engine) differs from the last execution's: the
    /// floating-point kernels give other bits, so the recorded objects are not this key's.
    case numericEnvironmentChanged(old: [String: String], new: [String: String])
    case upstreamStale([String])
    case outputMissing(String)
    case outputCorrupted(String)
    /// An output the index marks bad: the output name, the object's hash, how it was found.
    case outputFlagged(String, object: String, ObjectPresence)
    case lastRunFailed(String)
    case lastRunInterrupted(String)

    public var description: String {
        switch self {
        case .neverRun: "never run"
        case .forced: "forced"
        case let .kindChanged(old, new): "stage kind changed \(old) → \(new)"
        case let .codeVersionChanged(old, new): "code version changed \(old) → \(new)"
        case let .parameterChanged(name, old, new): "parameter \(name) changed \(old) → \(new)"
        case let .parameterAdded(name, value): "parameter \(name) added (\(value))"
        case let .parameterRemoved(name): "parameter \(name) removed"
        case let .inputChanged(name): "input \(name) changed"
        case let .externalChanged(name, change?): "\(name) contents changed: \(change)"
        case let .externalChanged(name, nil): "\(name) contents changed"
        case let .numericEnvironmentChanged(old, new) where old.isEmpty:
            "numeric environment now part of the key (the last execution did not record one; now \(NumericIdentity(new)))"
        case let .numericEnvironmentChanged(old, new) where new.isEmpty:
            "the stage kind no longer depends on the numeric environment (was \(NumericIdentity(old)))"
        case let .numericEnvironmentChanged(old, new):
            "numeric environment changed: " + NumericIdentity(old).differences(to: NumericIdentity(new)).joined(separator: ", ")
                + " (floating-point kernels give other bits)"
        case let .upstreamStale(names): "upstream stale: " + names.joined(separator: ", ")
        case let .outputMissing(name): "output \(name) missing"
        case let .outputCorrupted(name): "output \(name) corrupted (size differs from the record)"
        case let .outputFlagged(name, object, state):
            switch state {
            case .corrupted: "output \(name) corrupted (object \(object): its bytes no longer match its hash, found by verify)"
            case .collected: "output \(name) deleted by gc (object \(object))"
            default: "output \(name) missing (object \(object))"
            }
        case let .lastRunFailed(error): "failed last time: \(error)"
        case let .lastRunInterrupted(reason): "\(reason)"
        }
    }
}

public enum Freshness: Sendable {
    /// Reusable: the key and the recorded outputs.
    case fresh(key: String, outputs: [String: StoredObject])
    /// Must run; `key` is nil when an upstream stage must run first (its outputs are not known yet).
    case stale(key: String?, reasons: [StaleReason])

    public var isFresh: Bool { if case .fresh = self { true } else { false } }
}

public enum FreshnessCheck {
    /// The key material of an instance given its producers' recorded outputs; nil if one is unknown.
    public static func material(of instance: StageInstance,
                                outputs: (String) -> [String: StoredObject]?) -> KeyMaterial? {
        var hashes: [String: [String]] = [:]
        for (input, refs) in instance.inputs {
            var list: [String] = []
            for ref in refs {
                guard let hash = outputs(ref.stage)?[ref.output]?.hash.hex else { return nil }
                list.append(hash)
            }
            hashes[input] = list
        }
        return KeyMaterial(kind: instance.kind.kind, codeVersion: instance.kind.codeVersion(for: instance.parameters),
                           parameters: instance.parameters, inputs: hashes, external: instance.external,
                           numeric: instance.numeric)
    }

    /// Decides one instance. `material` is nil when some producer is stale (`staleUpstream` names them).
    public static func evaluate(_ instance: StageInstance, material: KeyMaterial?, staleUpstream: [String],
                                forced: Bool, lookup: CacheLookup) throws -> Freshness {
        let key = material?.key
        if let key, !forced, let hit = try lookup.execution(forKey: key) {
            var problems: [StaleReason] = []
            for spec in instance.kind.outputs {
                guard let object = hit.outputs[spec.name] else { problems.append(.outputMissing(spec.name)); continue }
                let state = lookup.state(of: object)
                switch state {
                case .present: break
                case .missing: problems.append(.outputMissing(spec.name))
                case .damaged: problems.append(.outputCorrupted(spec.name))
                case .corrupted, .collected: problems.append(.outputFlagged(spec.name, object: object.hash.hex, state))
                }
            }
            if problems.isEmpty { return .fresh(key: key, outputs: hit.outputs) }
            return .stale(key: key, reasons: problems)
        }
        var reasons: [StaleReason] = forced ? [.forced] : []
        if !staleUpstream.isEmpty { reasons.append(.upstreamStale(staleUpstream)) }
        guard let last = try lookup.lastExecution(ofStage: instance.name) else {
            return .stale(key: key, reasons: reasons + [.neverRun])
        }
        let current = material ?? KeyMaterial(kind: instance.kind.kind, codeVersion: instance.kind.codeVersion(for: instance.parameters),
                                              parameters: instance.parameters, inputs: [:], external: instance.external,
                                              numeric: instance.numeric)
        var changes: [StaleReason] = []
        if let old = last.material {
            if old.kind != current.kind { changes.append(.kindChanged(old: old.kind, new: current.kind)) }
            if old.codeVersion != current.codeVersion {
                changes.append(.codeVersionChanged(old: old.codeVersion, new: current.codeVersion))
            }
            for name in Set(old.parameters.keys).union(current.parameters.keys).sorted() {
                switch (old.parameters[name], current.parameters[name]) {
                case let (o?, n?) where o != n: changes.append(.parameterChanged(name: name, old: o, new: n))
                case (nil, let n?): changes.append(.parameterAdded(name: name, value: n))
                case (_?, nil): changes.append(.parameterRemoved(name: name))
                default: break
                }
            }
            for name in Set(old.external.keys).union(current.external.keys).sorted()
            where old.external[name] != current.external[name] {
                let change = old.external[name].flatMap { before in
                    current.external[name].flatMap { lookup.externalChange(from: before, to: $0) }
                }
                changes.append(.externalChanged(name: name, change: change))
            }
            if old.numeric != current.numeric {
                changes.append(.numericEnvironmentChanged(old: old.numeric, new: current.numeric))
            }
            if material != nil {
                for name in Set(old.inputs.keys).union(current.inputs.keys).sorted()
                where old.inputs[name] != current.inputs[name] {
                    changes.append(.inputChanged(name: name))
                }
            }
        }
        if changes.isEmpty && reasons.isEmpty {
            if !last.succeeded {
                changes.append(last.interrupted ? .lastRunInterrupted(last.error ?? "stop request")
                                                : .lastRunFailed(last.error ?? "unknown error"))
            }
            else if last.key != key { changes.append(.neverRun) }
            else { changes += Self.flaggedOutputs(last, lookup: lookup) }
        }
        return .stale(key: key, reasons: reasons + changes)
    }

    /// Why the last successful execution with the current key is no longer a cache hit: the index
    /// marks one of its outputs (verify found it corrupted, gc deleted it) or the object is gone.
    private static func flaggedOutputs(_ last: PastExecution, lookup: CacheLookup) -> [StaleReason] {
        let reasons = last.outputs.sorted { $0.key < $1.key }.compactMap { name, object -> StaleReason? in
            switch lookup.state(of: object) {
            case .present: nil
            case .missing: .outputMissing(name)
            case .damaged: .outputCorrupted(name)
            case let state: .outputFlagged(name, object: object.hash.hex, state)
            }
        }
        return reasons.isEmpty ? [.outputMissing("(record)")] : reasons
    }
}
