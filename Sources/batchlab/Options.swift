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

    /// Every verb takes the pipeline file as `-p FILE` or as a positional argument (`reproduce FILE`,
    /// `run FILE STAGE…`): a positional argument ending in .yaml or .yml is the file. Returns the file
    /// and the other positional arguments.
    func file(among positional: [String]) throws -> (file: String?, rest: [String]) {
        let files = positional.filter(Self.looksLikePipelineFile)
        let rest = positional.filter { !Self.looksLikePipelineFile($0) }
        guard files.count <= 1 else {
            throw ValidationError("two pipeline files given (\(files.joined(separator: ", "))); give one")
        }
        switch (pipeline, files.first) {
        case let (option?, positional?) where option != positional:
            throw ValidationError("two pipeline files given (-p \(option) and \(positional)); give one")
        case let (option, positional): return (option ?? positional, rest)
        }
    }

    /// For verbs whose only positional argument is the pipeline file (reproduce, dag, verify).
    func file(_ positional: String?) throws -> String? {
        if let positional, let option = pipeline, option != positional {
            throw ValidationError("two pipeline files given (-p \(option) and \(positional)); give one")
        }
        return positional ?? pipeline
    }

    static func looksLikePipelineFile(_ argument: String) -> Bool {
        argument.hasSuffix(".yaml") || argument.hasSuffix(".yml")
    }
}

struct ExecutionFlags: ParsableArguments {
    @Option(name: [.customShort("j"), .long], help: "Stages run in parallel (default: the number of cores).")
    var jobs: Int?

    @Flag(name: .long, help: "After a failure, keep running the stages that do not depend on it.")
    var keepGoing = false

    @Flag(name: .long, help: "Fail at once if another batchlab process holds artifacts/ (default: wait).")
    var noWait = false

    @Option(help: ArgumentHelp("Where stage bodies run: local (a process each, the default), threads (of this process) "
                               + "or slurm (jobs; see docs/running-on-a-cluster.md). Default: BATCHLAB_EXECUTOR, "
                               + "else the pipeline file's 'executor:', else local.", valueName: "executor"))
    var executor: ExecutorName?

    @Option(help: ArgumentHelp("Slurm: seconds to wait for a finished job's files to appear (NFS caching; default 5).",
                               valueName: "seconds"))
    var latencyWait: Double?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let latencyWait, !(latencyWait >= 0) { throw ValidationError("--latency-wait must be 0 or more seconds") }
        if executor == nil, let text = ProcessInfo.processInfo.environment["BATCHLAB_EXECUTOR"], ExecutorName(rawValue: text) == nil {
            throw ValidationError("BATCHLAB_EXECUTOR=\(text) is not an executor; use one of "
                                  + ExecutorName.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    var options: ExecutionOptions { ExecutionOptions(jobs: jobs, keepGoing: keepGoing) }

    /// Fills in the executor part of a request: --executor, else BATCHLAB_EXECUTOR (else the file decides).
    func configure(_ request: inout ReproduceRequest) {
        request.options = options
        request.executor = executor ?? ProcessInfo.processInfo.environment["BATCHLAB_EXECUTOR"].flatMap(ExecutorName.init)
        request.jobExecutable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        request.latencyWait = latencyWait
    }
}

extension ExecutorName: ExpressibleByArgument {}

struct WaitFlag: ParsableArguments {
    @Flag(name: .long, help: "Fail at once if another batchlab process holds artifacts/ (default: wait).")
    var noWait = false
}

/// Live lines on a terminal, plain lines otherwise (or with BATCHLAB_PROGRESS=plain).
func makeReporter() -> ProgressReporter {
    let plain = ProcessInfo.processInfo.environment["BATCHLAB_PROGRESS"] == "plain"
    return isatty(STDERR_FILENO) == 1 && !plain ? LiveProgress() : PlainProgress()
}

/// Runs a reproduce request, prints the summary, exits 1 if a stage failed (128 + N after signal N).
func execute(_ request: ReproduceRequest) throws {
    var request = request
    let numeric = NumericEnvironment.blasInfo()
    request.environment = ["blas_kernel": numeric.coreName, "conv_engine": numeric.convEngine.rawValue]
    Interruption.watch(request.options.stop)
    let workspace = workspace()
    let summary = try workspace.reproduce(request, reporter: makeReporter(), onWait: waitMessage)
    print(summary.report)
    if let signal = summary.stoppedBy {
        print("interrupted by \(Interruption.name(signal)); resume with: \(Interruption.resumeCommand)")
        throw ExitCode(128 + signal)
    }
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
