// `verify`: rehash every object (Store marks corrupted/missing ones so the next reproduce rebuilds
// them); `verify --rerun STAGE` runs a fresh stage again in scratch and checks its outputs are
// bit-identical to the cached ones: a reproducibility audit.
import Foundation
import Store

public struct RerunReport: Sendable {
    public let stage: String
    public let seconds: Double
    /// Output name → (recorded hash, new hash, comparison when they differ).
    public let outputs: [(name: String, recorded: String, rerun: String, comparison: FileComparison?)]
    /// The stage measures time (`Stage.measuresTime`): its outputs are not expected to repeat.
    public var measuresTime = false
    public var identical: Bool { outputs.allSatisfy { $0.recorded == $0.rerun } }
    /// What `verify --rerun` exits on: bit-identical outputs, or a measurement of time (which cannot be).
    public var passes: Bool { identical || measuresTime }

    public var text: String {
        if measuresTime && !identical {
            return "\(stage): rerun in \(String(format: "%.2f", seconds)) s: a measurement of time, the declared exception "
                + "to every object being a function of its key; its outputs hold times measured now, so they differ from the "
                + "cached ones (not a failure)\n"
                + outputs.map { "  \($0.name): measured again \($0.recorded.prefix(12)) → \($0.rerun.prefix(12))\n" }.joined()
        }
        var out = ""
        for o in outputs {
            if o.recorded == o.rerun {
                out += "  \(o.name): bit-identical (\(o.recorded.prefix(12)))\n"
            } else {
                out += "  \(o.name): DIFFERENT \(o.recorded.prefix(12)) → \(o.rerun.prefix(12))\n"
                if let c = o.comparison { out += "    " + c.description.replacingOccurrences(of: "\n", with: "\n    ") + "\n" }
            }
        }
        return "\(stage): rerun in \(String(format: "%.2f", seconds)) s: "
            + (identical ? "outputs bit-identical to the cached ones" : "outputs DIFFER from the cached ones") + "\n" + out
    }
}

public enum VerifyError: Error, CustomStringConvertible {
    case notFresh(String, [StaleReason])

    public var description: String {
        switch self {
        case let .notFresh(stage, reasons):
            "\(stage) has no fresh cached result to compare with (" + reasons.map(\.description).joined(separator: "; ")
                + "); run `batchlab run \(stage)` first"
        }
    }
}

extension Workspace {
    public func verify(wait: Bool, onWait: (String) -> Void) throws -> VerifyReport {
        let lock = try self.lock(wait: wait, onWait: onWait)
        defer { lock.release() }
        return try openArtifacts().verify()
    }

    /// Reruns each named instance (groups expand) whose cached result is fresh; never touches the cache.
    public func rerun(_ pipeline: String?, targets: [String], overrides: [String], options: ExecutionOptions,
                      wait: Bool, onWait: (String) -> Void) throws -> [RerunReport] {
        let graph = try load(pipeline, overrides: overrides)
        let roots = try targets.flatMap { try graph.resolve(target: $0) }
        let lock = try self.lock(wait: wait, onWait: onWait)
        defer { lock.release() }
        let artifacts = try openArtifacts()
        let backend = StoreBackend(artifacts)
        let plan = Plan(steps: graph.upstreamClosure(roots).sorted(), forced: [])
        let statuses = try StatusCheck.evaluate(graph, plan: plan, lookup: backend)
        var outputs: [String: [String: StoredObject]] = [:]
        for status in statuses { if case .fresh(_, let o) = status.freshness { outputs[status.name] = o } }
        var reports: [RerunReport] = []
        for root in roots.sorted() {
            let instance = graph.instances[root]
            guard let recorded = outputs[instance.name] else {
                let reasons: [StaleReason]
                if case .stale(_, let r) = statuses.first(where: { $0.name == instance.name })!.freshness { reasons = r } else { reasons = [] }
                throw VerifyError.notFresh(instance.name, reasons)
            }
            let inputs = instance.inputs.mapValues { refs in refs.map { outputs[$0.stage]![$0.output]! } }
            let start = Date()
            let context = try StageRunner.run(instance, inputs: inputs, store: backend, threads: options.threadsPerStage,
                                              onProgress: { _ in })
            let seconds = Date().timeIntervalSince(start)
            var rows: [(name: String, recorded: String, rerun: String, comparison: FileComparison?)] = []
            for spec in instance.kind.outputs {
                let url = context.output(spec.name)
                let hash = try ObjectHash.ofFile(atPath: url.path).hash
                let old = recorded[spec.name]!.hash.hex
                var comparison: FileComparison?
                if hash.hex != old, let oldHash = ObjectHash(hex: old) {
                    comparison = try? FileComparison.compare(artifacts.objects.url(of: oldHash), url, hashA: oldHash,
                                                             hashB: hash)
                }
                rows.append((spec.name, old, hash.hex, comparison))
            }
            try? FileManager.default.removeItem(at: context.scratch)
            var report = RerunReport(stage: instance.name, seconds: seconds, outputs: rows)
            report.measuresTime = instance.kind.measuresTime
            reports.append(report)
        }
        return reports
    }
}

extension VerifyReport {
    public var text: String {
        var out = "verified \(checked) objects (\(Format.bytes(bytes))): "
            + (isClean ? "all intact\n" : "\(corrupted.count) corrupted, \(missing.count) missing\n")
        for hash in corrupted { out += "  corrupted \(hash.hex)\n" }
        for hash in missing { out += "  missing   \(hash.hex)\n" }
        if !isClean { out += "they are marked in the index: the next `batchlab reproduce` rebuilds the stages that made them\n" }
        return out
    }
}
