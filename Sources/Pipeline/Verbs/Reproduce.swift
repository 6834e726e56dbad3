// `reproduce` and `run`: plan, take the artifacts lock, recover from a killed run, execute.
import Foundation
import Store

public struct ReproduceRequest: Sendable {
    public var pipeline: String?
    public var targets: [String] = []
    public var force = false
    public var downstream = false
    public var overrides: [String] = []
    public var options = ExecutionOptions()
    public var wait = true
    public var command = "reproduce"
    /// The numeric environment the stages will run in (e.g. `blas_kernel`), recorded with the run.
    /// Pipeline knows no BLAS: the CLI fills it in.
    public var environment: [String: String] = [:]
    /// `--executor` or BATCHLAB_EXECUTOR; nil: the pipeline file's `executor:`, else `local`.
    public var executor: ExecutorName?
    /// The batchlab executable a stage's own process runs (`stage-job`); the CLI's own binary.
    public var jobExecutable: String?
    /// `--latency-wait` for Slurm (else BATCHLAB_SLURM_LATENCY_WAIT, else 5 s).
    public var latencyWait: Double?

    public init(pipeline: String? = nil) { self.pipeline = pipeline }
}

extension Workspace {
    /// Runs what is stale among the targets (all stages when none) and their upstream.
    /// Pipeline errors are thrown before anything is touched; stage failures are in the summary.
    public func reproduce(_ request: ReproduceRequest, reporter: ProgressReporter,
                          onWait: (String) -> Void) throws -> RunSummary {
        let graph = try load(request.pipeline, overrides: request.overrides)
        let plan = try Planner.plan(graph, targets: request.targets, downstream: request.downstream, force: request.force)
        let lock = try self.lock(wait: request.wait, onWait: onWait)
        defer { lock.release() }
        let artifacts = try openArtifacts()
        // We hold the lock: any run still marked running was killed, and its scratch files are garbage.
        try artifacts.index.markInterruptedRuns()
        try artifacts.objects.cleanScratch()
        let path = pipelinePath(request.pipeline)
        var info = RunInfo(pipelineFile: path, pipelineHash: fileHash(path), overrides: request.overrides,
                           command: request.command, jobs: request.options.jobs,
                           threadsPerStage: request.options.threadsPerStage)
        info.environment = request.environment
        var summary = try Executor(graph: graph, plan: plan, store: StoreBackend(artifacts),
                                   options: try executionOptions(request, graph: graph), reporter: reporter).run(info)
        // The registry's publish hooks, after the run and still under the lock.
        for hook in registry.publishHooks {
            let folder = publishFolder(kind: hook.kind, pipeline: request.pipeline)
            summary.published += try publish(run: summary.run, kind: hook.kind, to: folder)
                .map { $0.appendingPathComponent(hook.entry) }
        }
        return summary
    }
}

extension Workspace {
    /// The request's options with the executor resolved: --executor / BATCHLAB_EXECUTOR, else the
    /// pipeline file's `executor:`, else a process per stage (threads when no executable is known).
    func executionOptions(_ request: ReproduceRequest, graph: PipelineGraph) throws -> ExecutionOptions {
        var options = request.options
        let name = request.executor ?? graph.executor ?? .local
        switch (name, request.jobExecutable) {
        case (.threads, _), (.local, nil): options.executor = .threads
        case (.local, let executable?): options.executor = .processes(executable: executable)
        case (.slurm, let executable):
            guard let executable else { throw SlurmError.commandNotFound("the batchlab executable for the jobs") }
            var settings = try SlurmSettings.fromEnvironment(executable: executable, workingDirectory: root.path)
            if let wait = request.latencyWait { settings.latencyWait = wait }
            options.executor = .slurm(settings)
            // The queue decides what runs when: submit everything that is ready.
            if options.requestedJobs == nil { options.jobs = 1000 }
        }
        return options
    }
}

extension RunSummary {
    /// "3 executed, 5 cached, 0 failed in 0.42 s (run 7)", plus failures and skipped stages.
    public var report: String {
        var lines = ["\(executed.count) executed, \(cached.count) cached, \(failed.count) failed"
                     + (interrupted.isEmpty ? "" : ", \(interrupted.count) interrupted")
                     + (skipped.isEmpty ? "" : ", \(skipped.count) not run")
                     + " in \(String(format: "%.2f", wallSeconds)) s (run \(run))"]
        for failure in failed { lines.append("failed: \(failure.stage): \(failure.error)") }
        if stoppedBy != nil {
            let kept = executed + cached
            lines.append("kept: " + (kept.isEmpty ? "nothing finished" : kept.joined(separator: ", ")))
            if !interrupted.isEmpty {
                lines.append("stopped while running: " + interrupted.joined(separator: ", ")
                             + " (their resume checkpoints, if any, are kept)")
            }
        }
        if !skipped.isEmpty { lines.append("not run: " + skipped.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}
