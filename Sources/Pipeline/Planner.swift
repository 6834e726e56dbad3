// Planning: a pure function from targets and the graph to the ordered instances to consider.
// Whether each one then runs or is reused is decided by its cache key (Freshness, Executor).

/// The instances a command touches, in topological order, and which of them must run regardless.
public struct Plan: Sendable, Equatable {
    public let steps: [Int]
    public let forced: Set<Int>
}

public enum Planner {
    /// - targets: instance or group names; empty means the whole pipeline.
    /// - downstream: also every instance that reads (transitively) from a target.
    /// - force: run the targets (and with `downstream`, their dependents) even if cached.
    public static func plan(_ graph: PipelineGraph, targets: [String] = [], downstream: Bool = false,
                            force: Bool = false) throws -> Plan {
        let roots = targets.isEmpty ? Array(graph.instances.indices)
            : try targets.flatMap { try graph.resolve(target: $0) }
        var selected = graph.upstreamClosure(roots)
        var chosen = Set(roots)
        if downstream {
            chosen = graph.downstreamClosure(roots)
            // A dependent may also read from stages outside the targets' upstream: include those.
            selected.formUnion(graph.upstreamClosure(Array(chosen)))
        }
        return Plan(steps: selected.sorted(), forced: force ? chosen : [])
    }
}
