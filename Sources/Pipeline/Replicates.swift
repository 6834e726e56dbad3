// Replicates: `replicates: N` on a stage entry repeats every instance of its fan-out over
// replicate = 1…N (the instance names end in `,replicate=r`). A stage kind takes replicates by
// declaring an int parameter `replicate`; the body decides what a replicate changes (train: the
// initial weights and the data order). Replicate 1 is the run a pipeline without replicates has:
// `replicate: 1` is left out of the cache key, so adding replicates reuses the existing runs as
// replicate 1, and going from 3 to 5 replicates runs only 4 and 5.
// A `foreach` entry may set its own count (`- {batch_size: 32, lr: 0.01, replicates: 15}`) over the
// stage's: more replicates of some configurations without repeating the others. Replicate r of such an
// entry is the instance (and key) it is under a stage-wide count, so raising one entry's count adds
// only its new replicates. The stage-wide `replicates:` stays required beside it (the other entries'
// count, and what makes the stage replicated at all).
import Yams

public enum Replicates {
    /// The parameter (and fan-out coordinate) that numbers a replicate, from 1.
    public static let parameter = "replicate"

    /// The upper bound a pipeline file may ask for; a typo (`replicates: 300`) should not queue 300 runs.
    static let maximum = 100

    /// The key of a `foreach` entry that sets the entry's own replicate count.
    static let countKey = "replicates"

    /// A replicate count as written in the file: a whole number from 1 to `maximum`.
    static func count(_ node: Node, what: String, yaml: YAMLReader) throws -> Int {
        guard case .int(let n) = try yaml.value(node, as: .int, what: what), (1...maximum).contains(n) else {
            throw PipelineError.badValue(yaml.location(node), what: what, reason: "give a whole number from 1 to \(maximum)")
        }
        return n
    }

    /// The points of a fan-out, point i repeated over replicates 1…counts[i], the replicate coordinate last.
    static func expand(_ points: [[Coordinate]], nodes: [Node], counts: [Int]) -> ([[Coordinate]], [Node]) {
        precondition(points.count == nodes.count && points.count == counts.count, "one node and one count per point")
        var expanded: [[Coordinate]] = [], expandedNodes: [Node] = []
        for ((point, node), count) in zip(zip(points, nodes), counts) {
            for r in 1...count {
                expanded.append(point + [Coordinate(key: parameter, value: .int(r))])
                expandedNodes.append(node)
            }
        }
        return (expanded, expandedNodes)
    }

    /// `--set STAGE.replicates=N` texts, taken out of the overrides before the file is parsed
    /// (replicates decide which instances exist; parameter overrides apply to instances).
    static func overrides(_ texts: [String]) throws -> (counts: [String: Int], rest: [String]) {
        var counts: [String: Int] = [:], rest: [String] = []
        for text in texts {
            guard let eq = text.firstIndex(of: "="), text[..<eq].hasSuffix(".replicates") else { rest.append(text); continue }
            let stage = String(text[..<eq].dropLast(".replicates".count))
            guard let n = Int(text[text.index(after: eq)...]), (1...maximum).contains(n) else {
                throw PipelineError.badOverride(text, reason: "replicates is a whole number from 1 to \(maximum)")
            }
            counts[stage] = n
        }
        return (counts, rest)
    }
}
