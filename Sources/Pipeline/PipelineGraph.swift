// The resolved DAG of stage instances, in a stable topological order (file order among ready
// stages), with dependency and dependent lists. Constructing one rejects cycles.
import Foundation

public struct PipelineGraph: Sendable {
    public let file: String
    /// Topologically ordered: every instance comes after the producers of its inputs.
    public internal(set) var instances: [StageInstance]
    /// For each instance, the indices of the instances it reads from (sorted, unique).
    public let dependencies: [[Int]]
    /// For each instance, the indices of the instances that read from it.
    public let dependents: [[Int]]
    /// The file's `executor:` (where its stages run unless the command line or environment says otherwise).
    public internal(set) var executor: ExecutorName?
    private let index: [String: Int]

    init(file: String, instances fileOrder: [StageInstance]) throws {
        self.file = file
        var position: [String: Int] = [:]
        for (i, instance) in fileOrder.enumerated() { position[instance.name] = i }
        let deps: [[Int]] = fileOrder.map { instance in
            Array(Set(instance.inputs.values.flatMap { $0.map { position[$0.stage]! } })).sorted()
        }
        // Kahn's algorithm, always taking the earliest ready instance in file order.
        var remaining = deps.map(\.count)
        var users = [[Int]](repeating: [], count: fileOrder.count)
        for (i, ds) in deps.enumerated() { for d in ds { users[d].append(i) } }
        var ready = Set(remaining.indices.filter { remaining[$0] == 0 })
        var order: [Int] = []
        while let next = ready.min() {
            ready.remove(next)
            order.append(next)
            for u in users[next] {
                remaining[u] -= 1
                if remaining[u] == 0 { ready.insert(u) }
            }
        }
        guard order.count == fileOrder.count else {
            throw Self.cycleError(fileOrder, deps: deps, placed: Set(order))
        }
        var newIndex = [Int](repeating: 0, count: fileOrder.count)
        for (new, old) in order.enumerated() { newIndex[old] = new }
        instances = order.map { fileOrder[$0] }
        dependencies = order.map { deps[$0].map { newIndex[$0] }.sorted() }
        dependents = order.map { users[$0].map { newIndex[$0] }.sorted() }
        index = Dictionary(uniqueKeysWithValues: instances.enumerated().map { ($1.name, $0) })
    }

    /// Finds one cycle among the instances Kahn's algorithm could not place.
    private static func cycleError(_ instances: [StageInstance], deps: [[Int]], placed: Set<Int>) -> PipelineError {
        let start = instances.indices.first { !placed.contains($0) }!
        var path: [Int] = [start]
        var onPath: [Int: Int] = [start: 0]
        var current = start
        while true {
            // Every unplaced instance has an unplaced dependency, so this walk must close a loop.
            let next = deps[current].first { !placed.contains($0) }!
            if let at = onPath[next] {
                let loop = Array(path[at...]).reversed().map { instances[$0].name }
                return .cycle(instances[next].location, path: loop + [loop[0]])
            }
            onPath[next] = path.count
            path.append(next)
            current = next
        }
    }

    /// The graph with every instance's external inputs fingerprinted (see `Stage.externalInputs`);
    /// per-file hashes are remembered in `cacheDirectory`.
    public func fingerprintingExternalInputs(cacheDirectory: URL?) -> PipelineGraph {
        var graph = self
        for i in graph.instances.indices {
            let paths = graph.instances[i].kind.externalInputs(graph.instances[i].parameters)
            graph.instances[i].external = paths.mapValues { ExternalFingerprint.of(path: $0, cacheDirectory: cacheDirectory) }
        }
        return graph
    }

    /// The graph with the numeric environment in every instance whose kind depends on floating-point
    /// kernels (`Stage.numerics`), so that their keys change with it; `.portable` kinds stay shared.
    public func describingNumerics(_ identity: NumericIdentity) -> PipelineGraph {
        var graph = self
        for i in graph.instances.indices {
            graph.instances[i].numeric = graph.instances[i].kind.numerics == .kernels ? identity.components : [:]
        }
        return graph
    }

    // MARK: - Lookup

    public func instanceIndex(_ name: String) -> Int? { index[name] }
    public func instance(_ name: String) -> StageInstance? { index[name].map { instances[$0] } }

    /// Stage names as written in the file (groups), in topological order of first appearance.
    public var groups: [String] {
        var seen = Set<String>()
        return instances.compactMap { seen.insert($0.group).inserted ? $0.group : nil }
    }

    /// Indices named by a target: one instance, or a group (`train` = every `train@…`).
    public func resolve(target: String) throws -> [Int] {
        if let i = index[target] { return [i] }
        let members = instances.indices.filter { instances[$0].group == target }
        guard !members.isEmpty else {
            throw PipelineError.unknownTarget(target, known: groups + instances.map(\.name).filter { $0.contains("@") })
        }
        return members
    }

    /// Indices of `roots` and everything they read from, transitively.
    public func upstreamClosure(_ roots: [Int]) -> Set<Int> { closure(roots, edges: dependencies) }

    /// Indices of `roots` and everything that reads from them, transitively.
    public func downstreamClosure(_ roots: [Int]) -> Set<Int> { closure(roots, edges: dependents) }

    private func closure(_ roots: [Int], edges: [[Int]]) -> Set<Int> {
        var seen = Set(roots)
        var stack = roots
        while let i = stack.popLast() {
            for j in edges[i] where seen.insert(j).inserted { stack.append(j) }
        }
        return seen
    }
}
