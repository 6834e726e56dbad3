// Shared helpers for the Pipeline tests: the toy registry, a loader, an in-memory cache lookup.
import Foundation
@testable import Pipeline
import PipelineToys
import Store

let toyRegistry = StageRegistry(ToyStages.all)

func load(_ text: String, file: String = "test.yaml", overrides: [String] = []) throws -> PipelineGraph {
    try PipelineLoader(registry: toyRegistry).load(text: text, file: file, overrides: overrides)
}

/// The error text a load produces, or nil if it loads.
func loadError(_ text: String, file: String = "test.yaml", overrides: [String] = []) -> String? {
    do {
        _ = try load(text, file: file, overrides: overrides)
        return nil
    } catch {
        return "\(error)"
    }
}

let fixturesURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// A run index in memory: executions appended in order; objects present unless marked.
final class MemoryLookup: CacheLookup {
    var executions: [(stage: String, record: PastExecution)] = []
    var missing = Set<ObjectHash>()
    var damaged = Set<ObjectHash>()
    /// Marked by verify: like the run index, cache lookups skip executions that produced them.
    var corrupted = Set<ObjectHash>()

    func execution(forKey key: String) throws -> PastExecution? {
        executions.last { $0.record.key == key && $0.record.succeeded
            && !$0.record.outputs.values.contains { corrupted.contains($0.hash) } }?.record
    }

    func lastExecution(ofStage name: String) throws -> PastExecution? {
        executions.last { $0.stage == name }?.record
    }

    func state(of object: StoredObject) -> ObjectPresence {
        missing.contains(object.hash) ? .missing : damaged.contains(object.hash) ? .damaged
            : corrupted.contains(object.hash) ? .corrupted : .present
    }

    /// Records a successful execution of every stale instance, with outputs hashed from its key.
    func runAll(_ graph: PipelineGraph) throws {
        let statuses = try StatusCheck.evaluate(graph, plan: Planner.plan(graph), lookup: self)
        var outputs: [String: [String: StoredObject]] = [:]
        for status in statuses { if case .fresh(_, let o) = status.freshness { outputs[status.name] = o } }
        for instance in graph.instances where outputs[instance.name] == nil {
            let material = FreshnessCheck.material(of: instance) { outputs[$0] }!
            let produced = Dictionary(uniqueKeysWithValues: instance.kind.outputs.map {
                ($0.name, StoredObject(hash: ObjectHash.of(Data((material.key + "/" + $0.name).utf8)), size: 8))
            })
            outputs[instance.name] = produced
            executions.append((instance.name, PastExecution(key: material.key, material: material,
                                                              outputs: produced, succeeded: true, error: nil)))
        }
    }
}
