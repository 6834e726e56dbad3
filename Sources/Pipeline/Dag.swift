// `dag`: the pipeline graph as text, Graphviz dot, or Mermaid. Edges are labelled output → input.

public enum DagFormat: String, Sendable, CaseIterable { case text, dot, mermaid }

public enum DagRenderer {
    public static func render(_ graph: PipelineGraph, as format: DagFormat) -> String {
        switch format {
        case .text: text(graph)
        case .dot: dot(graph)
        case .mermaid: mermaid(graph)
        }
    }

    /// Edges (producer index, consumer index, label) in topological order of consumers.
    static func edges(_ graph: PipelineGraph) -> [(Int, Int, String)] {
        var result: [(Int, Int, String)] = []
        for (i, instance) in graph.instances.enumerated() {
            for input in instance.inputs.keys.sorted() {
                for ref in instance.inputs[input]! {
                    result.append((graph.instanceIndex(ref.stage)!, i, ref.output == input ? input : "\(ref.output) → \(input)"))
                }
            }
        }
        return result
    }

    static func text(_ graph: PipelineGraph) -> String {
        var lines: [String] = []
        for (i, instance) in graph.instances.enumerated() {
            let producers = graph.dependencies[i].map { graph.instances[$0].name }
            lines.append("\(instance.name) (\(instance.kind.kind))"
                         + (producers.isEmpty ? "" : " ← " + producers.joined(separator: ", ")))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func dot(_ graph: PipelineGraph) -> String {
        var out = "digraph pipeline {\n  rankdir=LR;\n  node [shape=box];\n"
        for (i, instance) in graph.instances.enumerated() {
            out += "  n\(i) [label=\(CanonicalJSON.quote(instance.name + "\n" + instance.kind.kind))];\n"
        }
        for (from, to, label) in edges(graph) {
            out += "  n\(from) -> n\(to) [label=\(CanonicalJSON.quote(label))];\n"
        }
        return out + "}\n"
    }

    static func mermaid(_ graph: PipelineGraph) -> String {
        func escape(_ s: String) -> String { s.replacingOccurrences(of: "\"", with: "#quot;") }
        var out = "flowchart LR\n"
        for (i, instance) in graph.instances.enumerated() {
            out += "  n\(i)[\"\(escape(instance.name))<br/>\(escape(instance.kind.kind))\"]\n"
        }
        for (from, to, label) in edges(graph) {
            out += "  n\(from) -->|\"\(escape(label))\"| n\(to)\n"
        }
        return out
    }
}
