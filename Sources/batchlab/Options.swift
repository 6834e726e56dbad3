// Options shared by several verbs: the pipeline file, --set overrides, parallelism, lock waiting.
import ArgumentParser
import Foundation
import Pipeline
import Tensor

struct PipelineOption: ParsableArguments {
    @Option(name: [.customShort("p"), .long], help: "Pipeline file (default: pipelines/study.yaml).")
    var pipeline: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter for this run.", valueName: "stage.param=value"))
    var overrides: [String] = []
}

struct ExecutionFlags: ParsableArguments {
    @Option(name: [.customShort("j"), .long], help: "Stages run in parallel (default: the number of cores).")
    var jobs: Int?

    @Flag(name: .long, help: "After a failure, keep running the stages that do not depend on it.")
    var keepGoing = false

    @Flag(name: .long, help: "Fail at once if another batchlab process holds artifacts/ (default: wait).")
    var noWait = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    var options: ExecutionOptions { ExecutionOptions(jobs: jobs, keepGoing: keepGoing) }
}

struct WaitFlag: ParsableArguments {
    @Flag(name: .long, help: "Fail at once if another batchlab process holds artifacts/ (default: wait).")
    var noWait = false
}

/// Live lines on a terminal, plain lines otherwise (or with BATCHLAB_PROGRESS=plain).
func makeReporter() -> ProgressReporter {
    let plain = ProcessInfo.processInfo.environment["BATCHLAB_PROGRESS"] == "plain"
    return isatty(STDERR_FILENO) == 1 && !plain ? LiveProgress() : PlainProgress()
}

/// Runs a reproduce request, prints the summary, exits 1 if a stage failed.
func execute(_ request: ReproduceRequest) throws {
    var request = request
    let numeric = NumericEnvironment.blasInfo()
    request.environment = ["blas_kernel": numeric.coreName, "conv_engine": numeric.convEngine.rawValue]
    let workspace = workspace()
    let summary = try workspace.reproduce(request, reporter: makeReporter(), onWait: waitMessage)
    print(summary.report)
    for entry in summary.published {
        // "report: artifacts/report/study/index.html": the hook whose folder holds the entry names it.
        let kind = workspace.registry.publishHooks.first {
            entry.path.hasPrefix(workspace.artifactsURL.appendingPathComponent($0.kind).path + "/")
        }?.kind ?? "published"
        let cwd = FileManager.default.currentDirectoryPath + "/"
        print("\(kind): " + (entry.path.hasPrefix(cwd) ? String(entry.path.dropFirst(cwd.count)) : entry.path))
    }
    if !summary.failed.isEmpty { throw ExitCode(1) }
}
