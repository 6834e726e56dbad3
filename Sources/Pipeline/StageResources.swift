// What a stage asks of a cluster: the `resources:` block of a stage (or, as defaults for every
// stage, of the pipeline file) and its `retries:`. Parsed and checked when the file loads
// (file:line:column on a bad value); used only by the Slurm executor. Never part of a cache key:
// where a stage runs does not change its bits.
import Foundation
import Yams

public struct StageResources: Sendable, Equatable {
    /// CPUs per task (`--cpus-per-task`); also the body's thread budget on the cluster.
    public var cpus = 1
    /// Memory per node, Slurm's syntax (`--mem`): a whole number with an optional K/M/G/T suffix.
    public var memory: String?
    /// Wall-time limit, Slurm's syntax (`--time`): minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
    public var time: String?
    public var partition: String?
    /// At most this many tasks of one job array run at once (`--array=0-N%K`); nil: no limit.
    public var arrayLimit: Int?
    /// How often a job lost to the cluster (NODE_FAIL, TIMEOUT, PREEMPTED, OUT_OF_MEMORY, killed by
    /// SIGKILL) is submitted again; a stage's own error is never retried.
    public var retries = 0

    public init() {}

    static let keys = ["array_limit", "cpus", "mem", "partition", "time"]

    /// The block `node` applied over `base` (keys not given keep base's values).
    static func parse(_ node: Node, over base: StageResources, yaml: YAMLReader, context: String) throws -> StageResources {
        var resources = base
        for (key, keyNode, value) in try yaml.mapping(node, what: "resources of \(context)") {
            let what = "resources.\(key) of \(context)"
            switch key {
            case "cpus": resources.cpus = try positive(value, yaml: yaml, what: what, maximum: 4096)
            case "array_limit": resources.arrayLimit = try positive(value, yaml: yaml, what: what, maximum: 100_000)
            case "mem":
                let text = try scalarText(value, yaml: yaml, what: what)
                guard text.range(of: #"^[1-9][0-9]*[KMGT]?$"#, options: .regularExpression) != nil else {
                    throw PipelineError.badValue(yaml.location(value), what: what,
                                                 reason: "give memory as Slurm does: a whole number of megabytes or one with K, M, G or T (e.g. 4G)")
                }
                resources.memory = text
            case "time":
                let text = try scalarText(value, yaml: yaml, what: what)
                guard validTime(text) else {
                    throw PipelineError.badValue(yaml.location(value), what: what,
                                                 reason: "give a time limit as Slurm does: minutes (30), MM:SS, HH:MM:SS or D-HH:MM:SS (e.g. \"2:00:00\"; quote it)")
                }
                resources.time = text
            case "partition":
                let text = try yaml.string(value, what: what)
                guard text.range(of: #"^[A-Za-z0-9_.-]+$"#, options: .regularExpression) != nil else {
                    throw PipelineError.badValue(yaml.location(value), what: what, reason: "a partition name is letters, digits, '_', '-' and '.'")
                }
                resources.partition = text
            default:
                throw PipelineError.unknownKey(yaml.location(keyNode), key: key, context: "resources of \(context)", allowed: keys)
            }
        }
        return resources
    }

    /// `retries: N`, N from 0 to 10.
    static func retries(_ node: Node, yaml: YAMLReader, context: String) throws -> Int {
        guard case .int(let n) = try yaml.value(node, as: .int, what: "retries of \(context)"), (0...10).contains(n) else {
            throw PipelineError.badValue(yaml.location(node), what: "retries of \(context)", reason: "give a whole number from 0 to 10")
        }
        return n
    }

    private static func positive(_ node: Node, yaml: YAMLReader, what: String, maximum: Int) throws -> Int {
        guard case .int(let n) = try yaml.value(node, as: .int, what: what), (1...maximum).contains(n) else {
            throw PipelineError.badValue(yaml.location(node), what: what, reason: "give a whole number from 1 to \(maximum)")
        }
        return n
    }

    /// A number or a string as written (so that `mem: 4096` and `time: 30` need no quotes).
    private static func scalarText(_ node: Node, yaml: YAMLReader, what: String) throws -> String {
        guard let scalar = node.scalar else {
            throw PipelineError.wrongType(yaml.location(node), what: what, expected: "a single value", found: yaml.describe(node))
        }
        return scalar.string
    }

    static func validTime(_ text: String) -> Bool {
        let patterns = [#"^[0-9]+$"#, #"^[0-9]+:[0-5][0-9]$"#, #"^[0-9]+:[0-5][0-9]:[0-5][0-9]$"#,
                        #"^[0-9]+-[0-9]+$"#, #"^[0-9]+-[0-9]+:[0-5][0-9]$"#, #"^[0-9]+-[0-9]+:[0-5][0-9]:[0-5][0-9]$"#]
        return text != "0" && patterns.contains { text.range(of: $0, options: .regularExpression) != nil }
    }
}

/// Where a pipeline's stage bodies run, as the pipeline file, `--executor` or BATCHLAB_EXECUTOR name it.
public enum ExecutorName: String, Sendable, CaseIterable {
    /// Each body in its own process on this machine (the default).
    case local
    /// Bodies as threads of the batchlab process (no process per stage; a crash ends the run).
    case threads
    /// Each body as a Slurm job (artifacts/ on a filesystem every node shares).
    case slurm

    static func parse(_ node: Node, yaml: YAMLReader) throws -> ExecutorName {
        let text = try yaml.string(node, what: "executor")
        guard let name = ExecutorName(rawValue: text) else {
            throw PipelineError.notAllowed(yaml.location(node), what: "executor", value: text,
                                           allowed: allCases.map(\.rawValue).joined(separator: ", "))
        }
        return name
    }
}
