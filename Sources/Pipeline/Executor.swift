// The executor: performs what the `Scheduler` decides. It looks steps up in the cache, runs the
// others' bodies in parallel (up to `jobs`, each told cores/jobs threads), moves outputs into the
// store and records each execution in one index transaction after its objects are in place. On a
// stop request (Ctrl-C) it starts nothing new and gives running bodies `stopGrace` to stop.
import Foundation
import Store

/// Where stage bodies run.
public enum ExecutorKind: Sendable, Equatable {
    /// Threads of this process (a crash in one body ends the run).
    case threads
    /// Each body in its own process, `executable stage-job …` (a crash fails that stage alone).
    case processes(executable: String)
    /// Each body as a Slurm job (see `SlurmSettings`).
    case slurm(SlurmSettings)
}

public struct ExecutionOptions: Sendable {
    public var jobs: Int
    public var keepGoing: Bool
    public var cores: Int
    /// Set by the CLI's signal handlers; the executor and the bodies watch it.
    public var stop = StopRequest()
    /// Where bodies run; the library's default is threads, the CLI's a process per stage.
    public var executor = ExecutorKind.threads

    /// `--jobs` as given (nil: the default, the cores here; many on Slurm, whose queue decides).
    public let requestedJobs: Int?

    public init(jobs: Int? = nil, keepGoing: Bool = false, cores: Int = ProcessInfo.processInfo.activeProcessorCount) {
        requestedJobs = jobs
        self.cores = max(1, cores)
        self.jobs = max(1, jobs ?? cores)
        self.keepGoing = keepGoing
    }

    public var threadsPerStage: Int { max(1, cores / jobs) }
}

public struct RunSummary: Sendable {
    public var run: Int64
    public var executed: [String] = []
    public var cached: [String] = []
    public var failed: [(stage: String, error: String)] = []
    public var skipped: [String] = []
    /// Stages whose bodies were running when the run was interrupted (they resume next time).
    public var interrupted: [String] = []
    /// The signal that interrupted the run, if one did.
    public var stoppedBy: Int32?
    public var wallSeconds: Double = 0
    /// The entry files of the run's published outputs (see `StageRegistry.publishOutputs`).
    public var published: [URL] = []

    public var succeeded: Bool { failed.isEmpty && skipped.isEmpty && stoppedBy == nil }
}

public final class Executor: @unchecked Sendable {
    private struct Launched {
        let material: KeyMaterial
        let inputs: [String: [StoredObject]]
        let start: Date
    }

    /// How long running bodies get to reach a safe point after a stop request before the run ends
    /// without them (their resume checkpoints stay; the next run continues from there).
    public static let stopGrace: TimeInterval = 1.5

    private let graph: PipelineGraph
    private let plan: Plan
    private let store: ArtifactStore
    private let options: ExecutionOptions
    private let reporter: ProgressReporter
    private let condition = NSCondition()
    private var completions: [BodyCompletion] = []
    private let launcher: BodyLauncher

    // The run in progress (touched only by the thread in `run`).
    private var runID: Int64 = 0
    private var summary = RunSummary(run: 0)
    private var outputs: [Int: [String: StoredObject]] = [:]  // recorded outputs of done steps
    private var materials: [Int: KeyMaterial] = [:]  // keys of checked steps that must run
    private var reused: [ExecutionOutcome] = []  // cache reuses, recorded together before each launch and wait
    private var launched: [Int: Launched] = [:]  // steps whose bodies run

    public init(graph: PipelineGraph, plan: Plan, store: ArtifactStore, options: ExecutionOptions,
                reporter: ProgressReporter) {
        self.graph = graph
        self.plan = plan
        self.store = store
        self.options = options
        self.reporter = reporter
        launcher = switch options.executor {
        case .threads: ThreadLauncher(store: store, stop: options.stop, reporter: reporter)
        case .processes(let executable): ProcessLauncher(executable: executable, store: store, reporter: reporter)
        case .slurm(let settings): SlurmLauncher(settings: settings, store: store, reporter: reporter)
        }
    }

    /// Runs the plan; store and index errors are thrown, stage failures are in the summary.
    /// The `Scheduler` decides; this loop performs its actions and waits for bodies.
    public func run(_ info: RunInfo) throws -> RunSummary {
        let started = Date()
        runID = try store.beginRun(info)
        summary = RunSummary(run: runID)
        defer { reporter.close() }
        do {
            return try loop(started: started)
        } catch {
            settleBodiesInThisProcess()
            throw error
        }
    }

    /// An index or store error ends the run, but never while bodies run on threads of this process: the
    /// CLI would exit beneath them, and exit-time teardown (OpenBLAS's destructor frees its buffers)
    /// pulls memory from under a body still computing: a segfault instead of the error (seen with
    /// `train` on `--executor threads`, exit 139 in 3 runs of 5). So they are asked to stop at their next safe point and awaited; their results are
    /// dropped (the index cannot take them; a resume checkpoint stays for the next run). Bodies in
    /// their own processes or Slurm jobs need nothing: a stage process stops when this one's pipe
    /// closes, and a Slurm job's outputs are adopted by the next run.
    private func settleBodiesInThisProcess() {
        guard case .threads = options.executor, !launched.isEmpty else { return }
        if !options.stop.isRequested { options.stop.request(signal: SIGTERM) }
        while !launched.isEmpty {
            for completion in waitForCompletions(until: nil) {
                guard launched.removeValue(forKey: completion.step) != nil else { continue }
                if case .success(let body) = completion.result { try? FileManager.default.removeItem(at: body.folder) }
            }
        }
    }

    /// The scheduler's loop: perform its actions, wait for bodies, until it says the run is finished.
    private func loop(started: Date) throws -> RunSummary {
        var scheduler = Scheduler(steps: plan.steps,
                                  producers: Dictionary(uniqueKeysWithValues: plan.steps.map { ($0, graph.dependencies[$0]) }),
                                  jobs: options.jobs, keepGoing: options.keepGoing,
                                  exclusive: Set(plan.steps.filter { graph.instances[$0].kind.exclusive }))
        var actions = scheduler.handle(.start)
        var stopDeadline: Date?
        var ready: [Int] = []  // launches gathered over one round of actions, started together
        while true {
            while !actions.isEmpty {
                switch actions.removeFirst() {
                case .check(let step):
                    actions += scheduler.handle(.checked(step, cached: try check(step)))
                case .launch(let step):
                    ready.append(step)
                case let .skip(step, reason):
                    skip(step, reason)
                case .finish(let result):
                    try flushReused()
                    summary.wallSeconds = Date().timeIntervalSince(started)
                    // A signal that came after the last stage finished interrupted nothing.
                    if result == .interrupted { summary.stoppedBy = options.stop.requestedBy }
                    try store.finishRun(runID, status: result)
                    return summary
                }
            }
            // A body may read this run's executions from the index (the report's provenance):
            // record the cache reuses so far first.
            try flushReused()
            if !ready.isEmpty {
                try launch(ready)
                ready.removeAll()
            }
            if stopDeadline == nil, options.stop.isRequested {
                stopDeadline = Date().addingTimeInterval(Self.stopGrace)
                launcher.requestStop()
                actions += scheduler.handle(.interrupt)
                continue
            }
            if let deadline = stopDeadline, Date() >= deadline {
                // Bodies that did not reach a safe point in time: the run ends without them.
                launcher.abandon()
                for (step, launch) in launched.sorted(by: { $0.key < $1.key }) {
                    summary.interrupted.append(graph.instances[step].name)
                    recordInterrupted(step, launch, "it did not reach a safe point within \(Self.stopGrace) s; "
                                      + "its last resume checkpoint, if any, is kept")
                    actions += scheduler.handle(.stopped(step))
                }
                launched.removeAll()
                continue
            }
            for completion in waitForCompletions(until: stopDeadline) {
                if let event = try finish(completion) { actions += scheduler.handle(event) }
            }
        }
    }

    // MARK: - Performing the scheduler's actions

    /// Looks the step up in the cache once; true (and recorded as a reuse) when its outputs are reusable.
    private func check(_ step: Int) throws -> Bool {
        let instance = graph.instances[step]
        let material = FreshnessCheck.material(of: instance) { name in
            graph.dependencies[step].first { graph.instances[$0].name == name }.flatMap { outputs[$0] }
        }!
        let freshness = try FreshnessCheck.evaluate(instance, material: material, staleUpstream: [],
                                                    forced: plan.forced.contains(step), lookup: store)
        guard case .fresh(let key, let recorded) = freshness else {
            materials[step] = material
            return false
        }
        outputs[step] = recorded
        summary.cached.append(instance.name)
        reporter.report(.cached(instance.name))
        let now = Date()
        reused.append(ExecutionOutcome(
            stage: instance.name, kind: instance.kind.kind, key: key, material: material, cached: true,
            status: .succeeded, start: now, end: now, error: nil,
            outputs: outputFormats(instance, recorded), inputs: inputObjects(step),
            metrics: [:], measurements: [:], threads: 0))
        return true
    }

    private func skip(_ step: Int, _ reason: SkipReason) {
        let name = graph.instances[step].name
        summary.skipped.append(name)
        let because = switch reason {
        case .upstream(let bad): "\(graph.instances[bad].name) did not finish"
        case .stoppedAfterFailure: "stopped after a failure; --keep-going runs it"
        case .interrupted: "interrupted before it started"
        }
        reporter.report(.skipped(name, because: because))
    }

    private func flushReused() throws {
        try store.record(reused, run: runID)
        reused.removeAll()
    }

    /// Waits for at least one body to finish (or, during a stop, for the deadline or a short poll).
    private func waitForCompletions(until deadline: Date?) -> [BodyCompletion] {
        condition.lock()
        defer { condition.unlock() }
        // Poll so that a stop request is noticed within a fraction of a second.
        while completions.isEmpty {
            let wake = min(deadline ?? .distantFuture, Date().addingTimeInterval(0.1))
            if !condition.wait(until: wake), deadline.map({ Date() >= $0 }) ?? options.stop.isRequested { break }
        }
        let finished = completions
        completions.removeAll()
        return finished
    }

    /// Stores a finished body's outputs on this thread (one writer) and says what happened.
    private func finish(_ completion: BodyCompletion) throws -> SchedulerEvent? {
        let step = completion.step
        // A body abandoned at the stop deadline may still report; the run is over for it.
        guard let launch = launched.removeValue(forKey: step) else { return nil }
        let instance = graph.instances[step]
        let body: BodyResult, recorded: [String: StoredObject]
        do {
            body = try completion.result.get()
        } catch let interrupted as StageInterrupted {
            summary.interrupted.append(instance.name)
            reporter.report(.note(instance.name, "stopped; the next run resumes from \(interrupted.kept)"))
            recordInterrupted(step, launch, "the next run resumes from \(interrupted.kept)")
            return .stopped(step)
        } catch {
            fail(completion, launch, error: error)
            return .failed(step)
        }
        defer { try? FileManager.default.removeItem(at: body.folder) }
        do {
            recorded = try ingestOutputs(instance, body: body)
        } catch {
            fail(completion, launch, error: error)
            return .failed(step)
        }
        // An index error is not the stage's fault: it ends the run (thrown).
        try store.record(ExecutionOutcome(
            stage: instance.name, kind: instance.kind.kind, key: launch.material.key,
            material: launch.material, cached: false, status: .succeeded,
            start: completion.start, end: completion.end, error: nil,
            outputs: outputFormats(instance, recorded), inputs: launch.inputs,
            metrics: body.metrics, measurements: body.measurements,
            threads: body.threads), run: runID)
        outputs[step] = recorded
        summary.executed.append(instance.name)
        reporter.report(.finished(instance.name, seconds: completion.end.timeIntervalSince(completion.start)))
        return .succeeded(step)
    }

    // MARK: - Running bodies

    /// Hands the steps that became ready together to the launcher.
    private func launch(_ steps: [Int]) throws {
        var requests: [BodyRequest] = []
        for step in steps {
            let instance = graph.instances[step]
            let material = materials.removeValue(forKey: step)!
            let inputs = inputObjects(step)
            launched[step] = Launched(material: material, inputs: inputs, start: Date())
            reporter.report(.started(instance.name))
            requests.append(BodyRequest(step: step, instance: instance, inputs: inputs, key: material.key,
                                        threads: threadsFor(instance), runID: runID))
        }
        try launcher.launch(requests) { [self] completion in
            condition.lock()
            completions.append(completion)
            condition.signal()
            condition.unlock()
        }
    }

    /// A body's thread budget: cores ÷ jobs here (every core for an exclusive stage, which the scheduler
    /// runs alone); its `resources.cpus` on Slurm.
    private func threadsFor(_ instance: StageInstance) -> Int {
        if case .slurm = options.executor { return instance.resources.cpus }
        return instance.kind.exclusive ? options.cores : options.threadsPerStage
    }

    /// Moves each declared output into the store (the runner checked they exist).
    private func ingestOutputs(_ instance: StageInstance, body: BodyResult) throws -> [String: StoredObject] {
        var recorded: [String: StoredObject] = [:]
        for spec in instance.kind.outputs {
            do {
                recorded[spec.name] = try store.ingest(body.outputs[spec.name]!)
            } catch {
                throw StageError.storeFailed(stage: instance.name, error: "\(error)")
            }
        }
        return recorded
    }

    private func fail(_ completion: BodyCompletion, _ launch: Launched, error: Error) {
        let instance = graph.instances[completion.step]
        let text = (error as? StageError)?.message ?? "\(error)"
        summary.failed.append((instance.name, text))
        reporter.report(.failed(instance.name, error: text))
        try? store.record(ExecutionOutcome(
            stage: instance.name, kind: instance.kind.kind, key: launch.material.key, material: launch.material,
            cached: false, status: .failed, start: completion.start, end: completion.end, error: text, outputs: [:],
            inputs: launch.inputs, metrics: [:], measurements: [:], threads: options.threadsPerStage), run: runID)
    }

    /// Records a body that a stop request ended (status interrupted; the reason names the signal),
    /// so `show` and `runs` say so. Best effort, like a failure's record: the run ends either way.
    private func recordInterrupted(_ step: Int, _ launch: Launched, _ detail: String) {
        let instance = graph.instances[step]
        let signal = options.stop.requestedBy.map(StopRequest.name) ?? "a stop request"
        try? store.record(ExecutionOutcome(
            stage: instance.name, kind: instance.kind.kind, key: launch.material.key, material: launch.material,
            cached: false, status: .interrupted, start: launch.start, end: Date(), error: "interrupted by \(signal); \(detail)",
            outputs: [:], inputs: launch.inputs, metrics: [:], measurements: [:], threads: options.threadsPerStage), run: runID)
    }

    // MARK: - Helpers

    /// The objects behind a step's inputs (its producers are done).
    private func inputObjects(_ step: Int) -> [String: [StoredObject]] {
        let byName = Dictionary(uniqueKeysWithValues: graph.dependencies[step].map { (graph.instances[$0].name, $0) })
        return graph.instances[step].inputs.mapValues { refs in refs.map { outputs[byName[$0.stage]!]![$0.output]! } }
    }

    private func outputFormats(_ instance: StageInstance, _ recorded: [String: StoredObject])
        -> [String: (StoredObject, OutputFormat)] {
        Dictionary(uniqueKeysWithValues: instance.kind.outputs.compactMap { spec in
            recorded[spec.name].map { (spec.name, ($0, spec.format)) }
        })
    }
}
