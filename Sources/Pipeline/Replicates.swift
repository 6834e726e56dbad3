// Replicates: `replicates: N` on a stage entry repeats every instance of its fan-out over
// replicate = 1…N (the instance names end in `,replicate=r`). A stage kind takes replicates by
// declaring an int parameter `replicate`; the body decides what a replicate changes (train: the
// initial weights and the data order). Replicate 1 is the run a pipeline without replicates has:
// `replicate: 1` is left out of the cache key, so adding replicates reuses the existing runs as
// replicate 1, and going from 3 to 5 replicates runs only 4 and 5.
import Yams

public enum Replicates {
    /// The parameter (and fan-out coordinate) that numbers a replicate, from 1.
    public static let parameter = "replicate"

    /// The upper bound a pipeline file may ask for; a typo (`replicates: 300`) should not queue 300 runs.
    static let maximum = 100

    /// The points of a fan-out repeated over replicates 1…count, the replicate coordinate last.
    static func expand(_ points: [[Coordinate]], nodes: [Node], count: Int) -> ([[Coordinate]], [Node]) {
        var expanded: [[Coordinate]] = [], expandedNodes: [Node] = []
        for (point, node) in zip(points, nodes) {
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
