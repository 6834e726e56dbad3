// Resolves input references (`stage.output`, `stage@k=v.output`) to producer instances.
// A reference to a fanned-out stage picks the instances whose shared coordinates match the
// consumer's (train@bs=32 → eval@bs=32); with no shared coordinate it gathers them all.
import Yams

struct InputResolver {
    let yaml: YAMLReader
    let instances: [StageInstance]

    func resolve(into instances: inout [StageInstance], inputNodes: [String: [(input: String, node: Node)]]) throws {
        var groups: [String: [Int]] = [:]
        var groupOrder: [String] = []
        var byName: [String: Int] = [:]
        for (i, instance) in self.instances.enumerated() {
            if groups[instance.group] == nil { groupOrder.append(instance.group) }
            groups[instance.group, default: []].append(i)
            byName[instance.name] = i
        }
        for i in instances.indices {
            let consumer = instances[i]
            for (input, node) in inputNodes[consumer.name] ?? [] {
                let spec = consumer.kind.input(named: input)!
                let references: [Node]
                if case .sequence(let items) = node { references = Array(items) } else { references = [node] }
                var refs: [OutputRef] = []
                for referenceNode in references {
                    let what = "input '\(input)' of stage '\(consumer.group)'"
                    let reference = try yaml.string(referenceNode, what: what)
                    let location = yaml.location(referenceNode)
                    guard let dot = reference.lastIndex(of: "."), dot != reference.startIndex,
                          reference.index(after: dot) != reference.endIndex else {
                        throw PipelineError.badValue(location, what: what,
                                                     reason: "'\(reference)' is not a reference; write stage.output")
                    }
                    let target = String(reference[..<dot]), output = String(reference[reference.index(after: dot)...])
                    let candidates: [Int]
                    var fixed: Set<String> = []
                    if let members = groups[target] {
                        candidates = members
                    } else if let exact = byName[target] {
                        candidates = [exact]
                        fixed = Set(self.instances[exact].coordinates.map(\.key))
                    } else if let (group, given) = Self.partial(target), let members = groups[group] {
                        // `train@batch_size=32,lr=0.01` with train replicated: the instances with those
                        // coordinates; the rest (the replicate) is matched to the consumer's as usual.
                        // Matched on parameters, not only fan-out coordinates, so `interpolate@replicate=1`
                        // also names an unreplicated `interpolate` (its replicate parameter is 1).
                        candidates = members.filter { m in
                            given.allSatisfy { g in self.instances[m].parameters[g.key].map { "\($0)" == g.value } ?? false }
                        }
                        fixed = Set(given.map(\.key))
                        guard !candidates.isEmpty else {
                            throw PipelineError.badValue(location, what: what,
                                                         reason: "no instance of '\(group)' has \(target.dropFirst(group.count + 1))")
                        }
                    } else {
                        throw PipelineError.unknownStage(location, reference: reference, input: input,
                                                         stage: consumer.group, known: groupOrder)
                    }
                    let producerKind = self.instances[candidates[0]].kind
                    guard producerKind.output(named: output) != nil else {
                        throw PipelineError.unknownOutput(location, reference: reference, output: output,
                                                          producer: target, outputs: producerKind.outputs.map(\.name))
                    }
                    let matched = candidates.filter { matches(producer: self.instances[$0], consumer: consumer, fixed: fixed) }
                    guard !matched.isEmpty else {
                        throw PipelineError.badValue(location, what: what,
                                                     reason: "'\(reference)' matches no instance for \(consumer.name)")
                    }
                    refs += matched.map { OutputRef(stage: self.instances[$0].name, output: output) }
                }
                if !spec.many && refs.count != 1 {
                    throw PipelineError.inputCardinality(yaml.location(node), input: input, stage: consumer.name,
                                                         matched: refs.map(\.description))
                }
                instances[i].inputs[input] = refs
            }
        }
    }

    /// A producer matches when every coordinate key both share has the same value; keys the
    /// reference fixed itself (`train@replicate=2`) are not matched.
    private func matches(producer: StageInstance, consumer: StageInstance, fixed: Set<String>) -> Bool {
        for c in producer.coordinates where !fixed.contains(c.key) {
            if let mine = consumer.coordinates.first(where: { $0.key == c.key }), mine.value != c.value { return false }
        }
        return true
    }

    /// `group@k=v,k=v` → (group, [(k, v)]), or nil when the text has no such shape.
    private static func partial(_ target: String) -> (String, [(key: String, value: String)])? {
        guard let at = target.firstIndex(of: "@") else { return nil }
        var given: [(key: String, value: String)] = []
        for part in target[target.index(after: at)...].split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return nil }
            given.append((String(pair[0]), String(pair[1])))
        }
        return given.isEmpty ? nil : (String(target[..<at]), given)
    }
}
