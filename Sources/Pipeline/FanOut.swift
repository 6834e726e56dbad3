// Fan-out of one stage entry into instances: `matrix` (the product of lists, first key outermost)
// or `foreach` (an explicit list of parameter assignments, e.g. batch size with its scaled lr).
import Yams

enum FanOut {
    /// `matrix: {bs: [32, 64], lr: [0.1, 0.01]}` → 4 points, each node the matrix itself.
    static func matrix(_ node: Node, kind: any Stage.Type, context: String, given: [String: ParamValue],
                       yaml: YAMLReader) throws -> ([[Coordinate]], [Node]) {
        var axes: [(key: String, values: [ParamValue])] = []
        for (key, keyNode, value) in try yaml.mapping(node, what: "matrix of \(context)") {
            let spec = try declared(key, keyNode, kind: kind, context: context, section: "matrix", given: given, yaml: yaml)
            let items = try yaml.sequence(value, what: "matrix entry '\(key)' of \(context)")
            guard !items.isEmpty else {
                throw PipelineError.badValue(yaml.location(value), what: "matrix entry '\(key)' of \(context)",
                                             reason: "the list is empty; give at least one value")
            }
            axes.append((key, try items.map {
                try yaml.value($0, spec: spec, what: "matrix value of '\(key)' in \(context)")
            }))
        }
        guard !axes.isEmpty else {
            throw PipelineError.missingValue(yaml.location(node), what: "at least one parameter list",
                                             context: "matrix of \(context)")
        }
        var points: [[Coordinate]] = [[]]
        for axis in axes {
            points = points.flatMap { point in axis.values.map { point + [Coordinate(key: axis.key, value: $0)] } }
        }
        return (points, Array(repeating: node, count: points.count))
    }

    /// An entry's own replicate count (`{bs: 32, replicates: 15}`) and where it was written.
    struct EntryReplicates {
        let count: Int
        let location: SourceLocation
    }

    /// `foreach: [{bs: 32, lr: 0.1}, {bs: 64, lr: 0.2}]` → one point per entry, located at the entry.
    /// An entry may carry `replicates: N`, its own count in place of the stage's (`Replicates.swift`):
    /// not a parameter, so it is neither a coordinate nor part of the instance names or keys.
    static func foreach(_ node: Node, kind: any Stage.Type, context: String, given: [String: ParamValue],
                        yaml: YAMLReader) throws -> ([[Coordinate]], [Node], [EntryReplicates?]) {
        let entries = try yaml.sequence(node, what: "foreach of \(context)")
        guard !entries.isEmpty else {
            throw PipelineError.badValue(yaml.location(node), what: "foreach of \(context)",
                                         reason: "the list is empty; give at least one entry")
        }
        var points: [[Coordinate]] = [], counts: [EntryReplicates?] = []
        for entry in entries {
            var point: [Coordinate] = [], count: EntryReplicates?
            let pairs = try yaml.mapping(entry, what: "a foreach entry of \(context)")
            guard !pairs.isEmpty else {
                throw PipelineError.missingValue(yaml.location(entry), what: "parameter values",
                                                 context: "a foreach entry of \(context)")
            }
            for (key, keyNode, value) in pairs {
                if key == Replicates.countKey && kind.parameter(named: key) == nil {
                    count = EntryReplicates(count: try Replicates.count(value, what: "replicates of a foreach entry of \(context)", yaml: yaml),
                                            location: yaml.location(value))
                    continue
                }
                let spec = try declared(key, keyNode, kind: kind, context: context, section: "foreach",
                                        given: given, yaml: yaml)
                point.append(Coordinate(key: key, value: try yaml.value(value, spec: spec,
                                                                        what: "foreach value of '\(key)' in \(context)")))
            }
            guard !point.isEmpty else {
                throw PipelineError.missingValue(yaml.location(entry), what: "parameter values beside 'replicates'",
                                                 context: "a foreach entry of \(context)")
            }
            points.append(point)
            counts.append(count)
        }
        return (points, entries, counts)
    }

    private static func declared(_ key: String, _ keyNode: Node, kind: any Stage.Type, context: String,
                                 section: String, given: [String: ParamValue], yaml: YAMLReader) throws -> ParamSpec {
        guard let spec = kind.parameter(named: key) else {
            throw PipelineError.unknownKey(yaml.location(keyNode), key: key,
                                           context: "\(section) of \(context) (kind \(kind.kind))",
                                           allowed: kind.parameters.map(\.name))
        }
        guard given[key] == nil else {
            throw PipelineError.badValue(yaml.location(keyNode), what: "parameter '\(key)' of \(context)",
                                         reason: "set both in 'params' and in '\(section)'; keep one")
        }
        return spec
    }
}
