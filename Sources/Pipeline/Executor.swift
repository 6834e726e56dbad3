// The executor: performs what the `Scheduler` decides. It looks steps up in the cache, runs the
// others' bodies in parallel (up to `jobs`, each told cores/jobs threads), moves outputs into the
// store and records each execution in one index transaction after its objects are in place. On a
// stop request (Ctrl-C) it starts nothing new and gives running bodies `stopGrace` to stop.
import Foundation
import Store

public struct ExecutionOptions: Sendable {
    public var jobs: Int
    public var keepGoing: Bool
    public var cores: Int
    /// Set by the CLI's signal handlers; the executor and the bodies watch it.
    public var stop = StopRequest()

    public init(jobs: Int? = nil, keepGoing: Bool = false, cores: Int = ProcessInfo.processInfo.activeProcessorCount) {
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
    private struct Completion {
        let step: Int
        let result: Result<StageContext, Error>
        let start: Date
        let end: Date
        let material: KeyMaterial
        let inputs: [String: [StoredObject]]
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
    private var completions: [Completion] = []

    // The run in progress (touched only by the thread in `run`).
    private var runID: Int64 = 0
    private var summary = RunSummary(run: 0)
    private var outputs: [Int: [String: StoredObject]] = [:]  // recorded outputs of done steps
    private var materials: [Int: KeyMaterial] = [:]  // keys of checked steps that must run
    private var reused: [ExecutionOutcome] = []  // cache reuses, recorded together before each launch and wait
    private var launched = Set<Int>()  // steps whose bodies run

    public init(graph: PipelineGraph, plan: Plan, store: ArtifactStore, options: ExecutionOptions,
                reporter: ProgressReporter) {
        self.graph = graph
        self.plan = plan
        self.store = store
        self.options = options
        self.reporter = reporter
    }

    /// Runs the plan; store and index errors are thrown, stage failures are in the summary.
    /// The `Scheduler` decides; this loop performs its actions and waits for bodies.
    public func run(_ info: RunInfo) throws -> RunSummary {
        let started = Date()
        runID = try store.beginRun(info)
        summary = RunSummary(run: runID)
        defer { reporter.close() }
        var scheduler = Scheduler(steps: plan.steps,
                                  producers: Dictionary(uniqueKeysWithValues: plan.steps.map { ($0, graph.dependencies[$0]) }),
                                  jobs: options.jobs, keepGoing: options.keepGoing,
                                  exclusive: Set(plan.steps.filter { graph.instances[$0].kind.exclusive }))
        var actions = scheduler.handle(.start)
        var stopDeadline: Date?
        while true {
            while !actions.isEmpty {
                switch actions.removeFirst() {
                case .check(let step):
                    actions += scheduler.handle(.checked(step, cached: try check(step)))
                case .launch(let step):
                    // A body may read this run's executions from the index (the report's provenance):
                    // record the cache reuses so far first.
                    try flushReused()
                    launch(step)
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
            try flushReused()
            if stopDeadline == nil, options.stop.isRequested {
                stopDeadline = Date().addingTimeInterval(Self.stopGrace)
                actions += scheduler.handle(.interrupt)
                continue
            }
            if let deadline = stopDeadline, Date() >= deadline {
                // Bodies that did not reach a safe point in time: the run ends without them.
                for step in launched.sorted() {
                    summary.interrupted.append(graph.instances[step].name)
                    actions += scheduler.handle(.stopped(step))
                }
                launched.removeAll()
                continue
            }
            for completion in waitForCompletions(until: stopDeadline) {
                actions += scheduler.handle(try finish(completion))
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
    private func waitForCompletions(until deadline: Date?) -> [Completion] {
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
    private func finish(_ completion: Completion) throws -> SchedulerEvent {
        let step = completion.step
        launched.remove(step)
        let instance = graph.instances[step]
        let context: StageContext, recorded: [String: StoredObject]
        do {
            context = try completion.result.get()
        } catch let interrupted as StageInterrupted {
            summary.interrupted.append(instance.name)
            reporter.report(.note(instance.name, "stopped; the next run resumes from \(interrupted.kept)"))
            return .stopped(step)
        } catch {
            fail(completion, error: error)
            return .failed(step)
        }
        defer { try? FileManager.default.removeItem(at: context.scratch) }
        do {
            recorded = try ingestOutputs(instance, context: context)
        } catch {
            fail(completion, error: error)
            return .failed(step)
        }
        // An index error is not the stage's fault: it ends the run (thrown).
        try store.record(ExecutionOutcome(
            stage: instance.name, kind: instance.kind.kind, key: completion.material.key,
            material: completion.material, cached: false, status: .succeeded,
            start: completion.start, end: completion.end, error: nil,
            outputs: outputFormats(instance, recorded), inputs: completion.inputs,
            metrics: context.metrics, measurements: context.measurements,
            threads: context.threads), run: runID)
        outputs[step] = recorded
        summary.executed.append(instance.name)
        reporter.report(.finished(instance.name, seconds: completion.end.timeIntervalSince(completion.start)))
        return .succeeded(step)
    }

    // MARK: - Running one body

    private func launch(_ step: Int) {
        let instance = graph.instances[step]
        let material = materials.removeValue(forKey: step)!
        let inputs = inputObjects(step)
        launched.insert(step)
        reporter.report(.started(instance.name))
        // An exclusive stage runs alone (the scheduler saw to it): it may use every core.
        let threads = instance.kind.exclusive ? options.cores : options.threadsPerStage
        Thread.detachNewThread { [self, runID, reporter, stop = options.stop] in
            let start = Date()
            let result: Result<StageContext, Error> = Result {
                try StageRunner.run(instance, inputs: inputs, store: store, threads: threads, key: material.key,
                                    runID: runID, stop: stop,
                                    onProgress: { reporter.report(.progress(instance.name, $0)) },
                                    onNote: { reporter.report(.note(instance.name, $0)) })
            }
            condition.lock()
            completions.append(Completion(step: step, result: result, start: start, end: Date(),
                                          material: material, inputs: inputs))
            condition.signal()
            condition.unlock()
        }
    }

    /// Moves each declared output into the store (the runner checked they exist).
    private func ingestOutputs(_ instance: StageInstance, context: StageContext) throws -> [String: StoredObject] {
        var recorded: [String: StoredObject] = [:]
        for spec in instance.kind.outputs {
            do {
                recorded[spec.name] = try store.ingest(context.output(spec.name))
            } catch {
                throw StageError.storeFailed(stage: instance.name, error: "\(error)")
            }
        }
        return recorded
    }

    private func fail(_ completion: Completion, error: Error) {
        let instance = graph.instances[completion.step]
        let text = (error as? StageError)?.message ?? "\(error)"
        summary.failed.append((instance.name, text))
        reporter.report(.failed(instance.name, error: text))
        try? store.record(ExecutionOutcome(
            stage: instance.name, kind: instance.kind.kind, key: completion.material.key, material: completion.material,
            cached: false, status: .failed, start: completion.start, end: completion.end, error: text, outputs: [:],
            inputs: completion.inputs, metrics: [:], measurements: [:], threads: options.threadsPerStage), run: runID)
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
