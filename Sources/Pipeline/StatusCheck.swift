// Status of every planned instance, walking the plan in topological order: an instance's key is
// known only when all its producers are fresh (their recorded output hashes feed its key).
import Store

public struct StageStatus: Sendable {
    public let name: String
    public let freshness: Freshness
}

public enum StatusCheck {
    public static func evaluate(_ graph: PipelineGraph, plan: Plan, lookup: CacheLookup) throws -> [StageStatus] {
        var outputs: [String: [String: StoredObject]] = [:]
        var stale = Set<String>()
        var result: [StageStatus] = []
        for i in plan.steps {
            let instance = graph.instances[i]
            let producers = graph.dependencies[i].map { graph.instances[$0].name }
            let staleUpstream = producers.filter { stale.contains($0) }
            let material = staleUpstream.isEmpty ? FreshnessCheck.material(of: instance) { outputs[$0] } : nil
            let freshness = try FreshnessCheck.evaluate(instance, material: material, staleUpstream: staleUpstream,
                                                        forced: plan.forced.contains(i), lookup: lookup)
            switch freshness {
            case .fresh(_, let recorded): outputs[instance.name] = recorded
            case .stale: stale.insert(instance.name)
            }
            result.append(StageStatus(name: instance.name, freshness: freshness))
        }
        return result
    }
}
