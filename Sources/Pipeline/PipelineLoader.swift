// Parses a pipeline YAML file into typed stage instances: keys checked against the stage kind's
// declarations, fan-out expanded, overrides applied, inputs resolved, cycles rejected.
import Foundation
import Yams

/// One coordinate of a fanned-out instance, e.g. `bs=256`.
public struct Coordinate: Sendable, Hashable {
    public let key: String
    public let value: ParamValue
}

/// A named output of a named stage instance.
public struct OutputRef: Sendable, Hashable, CustomStringConvertible {
    public let stage: String
    public let output: String
    public var description: String { "\(stage).\(output)" }
}

/// A concrete stage instance after fan-out: what the planner and executor work on.
public struct StageInstance: Sendable {
    public let name: String
    /// The stage name in the file; instances of a fan-out share it (`train` for `train@bs=256`).
    public let group: String
    public let kind: any Stage.Type
    public internal(set) var parameters: [String: ParamValue]
    public let coordinates: [Coordinate]
    public internal(set) var inputs: [String: [OutputRef]] = [:]
    public let location: SourceLocation
    /// External input name → content fingerprint (`PipelineGraph.fingerprintingExternalInputs`); part of the key.
    public internal(set) var external: [String: String] = [:]
    /// The numeric environment's components for a `.kernels` kind, empty for a `.portable` one
    /// (`PipelineGraph.describingNumerics`); part of the key.
    public internal(set) var numeric: [String: String] = [:]
    /// What the stage asks of a cluster (`resources:`, `retries:`); not part of the key.
    public internal(set) var resources = StageResources()
}

/// Loads pipeline files against a registry of stage kinds.
public struct PipelineLoader: Sendable {
    public let registry: StageRegistry

    public init(registry: StageRegistry) { self.registry = registry }

    static let topKeys = ["description", "executor", "resources", "stages"]
    static let stageKeys = ["description", "foreach", "inputs", "kind", "matrix", "params", "replicates", "resources", "retries"]

    /// Reads, parses and resolves `path`; `overrides` are `--set` texts (`stage.param=value`).
    public func load(path: String, overrides: [String] = []) throws -> PipelineGraph {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "no such file"
            throw PipelineError.unreadable(file: path, reason: reason)
        }
        return try load(text: text, file: path, overrides: overrides)
    }

    public func load(text: String, file: String, overrides: [String] = []) throws -> PipelineGraph {
        let yaml = YAMLReader(file: file)
        guard let root = try yaml.compose(text) else {
            throw PipelineError.missingValue(SourceLocation(file: file, line: 1, column: 1),
                                             what: "a 'stages' mapping", context: "the pipeline file")
        }
        var stagesNode: Node?, executor: ExecutorName?, defaults = StageResources()
        for (key, keyNode, value) in try yaml.mapping(root, what: "the pipeline file") {
            switch key {
            case "stages": stagesNode = value
            case "executor": executor = try ExecutorName.parse(value, yaml: yaml)
            case "resources": defaults = try StageResources.parse(value, over: defaults, yaml: yaml, context: "the pipeline file")
            case "description": _ = try yaml.string(value, what: "description")
            default:
                throw PipelineError.unknownKey(yaml.location(keyNode), key: key, context: "the pipeline file",
                                               allowed: Self.topKeys)
            }
        }
        guard let stagesNode else {
            throw PipelineError.missingValue(yaml.location(root), what: "a 'stages' mapping", context: "the pipeline file")
        }
        let (replicateOverrides, parameterOverrides) = try Replicates.overrides(overrides)
        var instances: [StageInstance] = []
        var inputNodes: [String: [(input: String, node: Node)]] = [:]
        var firstSeen: [String: SourceLocation] = [:]
        for (name, nameNode, body) in try yaml.mapping(stagesNode, what: "stages") {
            let declared = try parseStage(name: name, nameNode: nameNode, body: body, yaml: yaml,
                                          replicates: replicateOverrides[name], resources: defaults)
            for instance in declared.instances {
                if let first = firstSeen[instance.name] {
                    throw PipelineError.duplicateName(instance.location, name: instance.name, first: first)
                }
                firstSeen[instance.name] = instance.location
                inputNodes[instance.name] = declared.inputs
                instances.append(instance)
            }
        }
        for stage in replicateOverrides.keys where !firstSeen.keys.contains(where: { $0 == stage || $0.hasPrefix(stage + "@") }) {
            throw PipelineError.badOverride("\(stage).replicates=\(replicateOverrides[stage]!)", reason: "no stage named '\(stage)'")
        }
        try Overrides.apply(parameterOverrides, to: &instances)
        try InputResolver(yaml: yaml, instances: instances).resolve(into: &instances, inputNodes: inputNodes)
        var graph = try PipelineGraph(file: file, instances: instances)
        graph.executor = executor
        return graph
    }

    // MARK: - One stage entry

    private func parseStage(name: String, nameNode: Node, body: Node, yaml: YAMLReader, replicates override: Int?,
                            resources defaults: StageResources) throws
        -> (instances: [StageInstance], inputs: [(input: String, node: Node)]) {
        let location = yaml.location(nameNode)
        guard name.range(of: "^[A-Za-z0-9_-]+$", options: .regularExpression) != nil else {
            throw PipelineError.invalidName(location, name: name)
        }
        let context = "stage '\(name)'"
        var kindNode: Node?, paramsNode: Node?, inputsNode: Node?, matrixNode: Node?, foreachNode: Node?, replicatesNode: Node?
        var resources = defaults
        for (key, keyNode, value) in try yaml.mapping(body, what: context) {
            switch key {
            case "kind": kindNode = value
            case "params": paramsNode = value
            case "inputs": inputsNode = value
            case "matrix": matrixNode = value
            case "foreach": foreachNode = value
            case "replicates": replicatesNode = value
            case "resources": resources = try StageResources.parse(value, over: resources, yaml: yaml, context: context)
            case "retries": resources.retries = try StageResources.retries(value, yaml: yaml, context: context)
            case "description": _ = try yaml.string(value, what: "description of \(context)")
            default:
                throw PipelineError.unknownKey(yaml.location(keyNode), key: key, context: context,
                                               allowed: Self.stageKeys)
            }
        }
        guard let kindNode else {
            throw PipelineError.missingValue(location, what: "'kind'", context: context)
        }
        let kindName = try yaml.string(kindNode, what: "kind of \(context)")
        guard let kind = registry.kind(kindName) else {
            throw PipelineError.unknownKind(yaml.location(kindNode), kind: kindName, known: registry.names)
        }
        let paramNames = kind.parameters.map(\.name)

        // Parameters given once for every instance.
        var given: [String: ParamValue] = [:]
        if let paramsNode {
            for (key, keyNode, value) in try yaml.mapping(paramsNode, what: "params of \(context)") {
                guard let spec = kind.parameter(named: key) else {
                    throw PipelineError.unknownKey(yaml.location(keyNode), key: key,
                                                   context: "params of \(context) (kind \(kind.kind))", allowed: paramNames)
                }
                given[key] = try yaml.value(value, spec: spec, what: "parameter '\(key)' of \(context)")
            }
        }

        // Fan-out: a product (matrix) or an explicit list of assignments (foreach).
        if matrixNode != nil && foreachNode != nil {
            throw PipelineError.badValue(yaml.location(foreachNode!), what: context,
                                         reason: "use either 'matrix' or 'foreach', not both")
        }
        var points: [[Coordinate]] = [[]]
        var pointNodes: [Node] = [nameNode]
        var entryCounts: [FanOut.EntryReplicates?] = []
        if let matrixNode {
            (points, pointNodes) = try FanOut.matrix(matrixNode, kind: kind, context: context, given: given, yaml: yaml)
        } else if let foreachNode {
            (points, pointNodes, entryCounts) = try FanOut.foreach(foreachNode, kind: kind, context: context, given: given, yaml: yaml)
        }

        if let count = try replicateCount(replicatesNode, override: override, kind: kind, context: context,
                                          location: location, yaml: yaml) {
            if given[Replicates.parameter] != nil || points.contains(where: { $0.contains { $0.key == Replicates.parameter } }) {
                throw PipelineError.badValue(location, what: context,
                                             reason: "'replicate' is set in params/foreach/matrix and 'replicates' is given; keep one")
            }
            // `--set STAGE.replicates=N` sets every entry's count: a smoke run shrinks the whole stage.
            let counts = points.indices.map { i in override == nil && i < entryCounts.count ? entryCounts[i]?.count ?? count : count }
            (points, pointNodes) = Replicates.expand(points, nodes: pointNodes, counts: counts)
        } else if let first = entryCounts.compactMap({ $0 }).first {
            throw PipelineError.badValue(first.location, what: "replicates of a foreach entry of \(context)",
                                         reason: "give the stage its own 'replicates: N' too (the count of the other entries)")
        }

        var inputs: [(input: String, node: Node)] = []
        if let inputsNode {
            for (key, keyNode, value) in try yaml.mapping(inputsNode, what: "inputs of \(context)") {
                guard kind.input(named: key) != nil else {
                    throw PipelineError.unknownKey(yaml.location(keyNode), key: key,
                                                   context: "inputs of \(context) (kind \(kind.kind))",
                                                   allowed: kind.inputs.map(\.name))
                }
                inputs.append((key, value))
            }
        }
        for spec in kind.inputs where !spec.optional && !inputs.contains(where: { $0.input == spec.name }) {
            throw PipelineError.missingValue(location, what: "input '\(spec.name)'", context: context)
        }

        var instances: [StageInstance] = []
        for (point, pointNode) in zip(points, pointNodes) {
            var parameters = given
            for c in point { parameters[c.key] = c.value }
            // An optional parameter left out stays out: the instance's key is the one it had before it existed.
            for spec in kind.parameters where parameters[spec.name] == nil && !spec.optional {
                guard let value = spec.defaultValue else {
                    throw PipelineError.missingValue(location, what: "parameter '\(spec.name)' (\(spec.type))",
                                                     context: context)
                }
                parameters[spec.name] = value
            }
            let instanceName = point.isEmpty ? name
                : name + "@" + point.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            var instance = StageInstance(name: instanceName, group: name, kind: kind, parameters: parameters,
                                         coordinates: point, location: point.isEmpty ? location : yaml.location(pointNode))
            instance.resources = resources
            instances.append(instance)
        }
        return (instances, inputs)
    }

    /// `replicates: N` (or its `--set` override): nil when the stage is not replicated.
    private func replicateCount(_ node: Node?, override: Int?, kind: any Stage.Type, context: String,
                                location: SourceLocation, yaml: YAMLReader) throws -> Int? {
        guard node != nil || override != nil else { return nil }
        let at = node.map(yaml.location) ?? location
        guard let spec = kind.parameter(named: Replicates.parameter), case .int = spec.type else {
            throw PipelineError.badValue(at, what: "replicates of \(context)",
                                         reason: "stage kind '\(kind.kind)' does not take replicates (it has no 'replicate' parameter)")
        }
        if let override { return override }
        return try Replicates.count(node!, what: "replicates of \(context)", yaml: yaml)
    }
}
