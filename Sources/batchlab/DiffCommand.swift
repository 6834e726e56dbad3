// `batchlab diff RUN_A RUN_B [STAGE…]`: parameters, keys, metrics and outputs that differ. Exit 0 same, 1 different.
import ArgumentParser
import Foundation
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
        let workspace = workspace()
        let diff = try workspace.diff(runA: runA, runB: runB, stages: stages, atol: atol, rtol: rtol)
        print(json ? try diff.json() : diff.text, terminator: "")
        // Figures whose bytes differ, side by side (stderr under --json, so the JSON stays parseable).
        if let page = try workspace.writeFigureDiffPage(diff) {
            let line = "side-by-side figures: \(page.path)\n"
            if json { FileHandle.standardError.write(Data(line.utf8)) } else { print(line, terminator: "") }
        }
        if !diff.same { throw ExitCode(1) }
    }
}
