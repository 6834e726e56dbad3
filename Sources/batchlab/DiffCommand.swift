// `batchlab diff RUN_A RUN_B [STAGE…]`: parameters, keys, metrics and outputs that differ. Exit 0 same, 1 different.
import ArgumentParser
import Pipeline

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two runs: parameters, keys, metrics (with deltas), outputs (HDF5 numerically). Exit 0 same, 1 different.")

    @Argument(help: "First run number.") var runA: Int64
    @Argument(help: "Second run number.") var runB: Int64
    @Argument(help: "Limit to these stage instances or groups.") var stages: [String] = []

    @Option(help: "Absolute tolerance: |a − b| ≤ atol + rtol·|a|.") var atol = 0.0
    @Option(help: "Relative tolerance.") var rtol = 0.0
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if atol < 0 || rtol < 0 { throw ValidationError("--atol and --rtol must be ≥ 0") }
    }

    func run() throws {
        let diff = try workspace().diff(runA: runA, runB: runB, stages: stages, atol: atol, rtol: rtol)
        print(json ? try diff.json() : diff.text, terminator: "")
        if !diff.same { throw ExitCode(1) }
    }
}
