// The executor: walks a plan in topological order, reuses cached stages, runs the others in
// parallel (up to `jobs`, each told cores/jobs threads), moves outputs into the store and records
// each execution in one index transaction after its objects are in place. A failed stage stops its
// dependents; without keep-going no new stage starts after a failure.
import Foundation
import Store

public struct ExecutionOptions: Sendable {
    public var jobs: Int
    public var keepGoing: Bool
    public var cores: Int

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
    public var wallSeconds: Double = 0
    /// The entry files of the run's published outputs (see `StageRegistry.publishOutputs`).
    public var published: [URL] = []

    public var succeeded: Bool { failed.isEmpty && skipped.isEmpty }
}

public final class Executor: @unchecked Sendable {
    private enum State { case pending, running, done([String: StoredObject]), failed, skipped }

    private struct Completion {
        let step: Int
        let result: Result<StageContext, Error>
        let start: Date
        let end: Date
        let material: KeyMaterial
        let inputs: [String: [StoredObject]]
    }

    private let graph: PipelineGraph
    private let plan: Plan
    private let store: ArtifactStore
    private let options: ExecutionOptions
    private let reporter: ProgressReporter
    private let condition = NSCondition()
    private var completions: [Completion] = []

    public init(graph: PipelineGraph, plan: Plan, store: ArtifactStore, options: ExecutionOptions,
                reporter: ProgressReporter) {
        self.graph = graph
        self.plan = plan
        self.store = store
        self.options = options
        self.reporter = reporter
    }

    /// Runs the plan; store and index errors are thrown, stage failures are in the summary.
    public func run(_ info: RunInfo) throws -> RunSummary {
        let started = Date()
        let runID = try store.beginRun(info)
        var summary = RunSummary(run: runID)
        var state: [Int: State] = Dictionary(uniqueKeysWithValues: plan.steps.map { ($0, .pending) })
        var running = 0
        var stopping = false
        var reused: [ExecutionOutcome] = []  // cache reuses, recorded together before each wait
        defer { reporter.close() }

        while true {
            // Start (or reuse) every pending step whose producers are all done, in plan order.
            var progressed = false
            for step in plan.steps {
                guard case .pending = state[step]! else { continue }
                let producers = graph.dependencies[step]
                if let bad = producers.first(where: { if case .failed = state[$0]! { true } else if case .skipped = state[$0]! { true } else { false } }) {
                    let instance = graph.instances[step]
                    state[step] = .skipped
                    summary.skipped.append(instance.name)
                    reporter.report(.skipped(instance.name, because: "\(graph.instances[bad].name) did not finish"))
                    progressed = true
                    continue
                }
                var outputs: [String: [String: StoredObject]] = [:]
                var ready = true
                for p in producers {
                    if case .done(let o) = state[p]! { outputs[graph.instances[p].name] = o } else { ready = false }
                }
                guard ready, !stopping else { continue }
                let instance = graph.instances[step]
                let material = FreshnessCheck.material(of: instance) { outputs[$0] }!
                let freshness = try FreshnessCheck.evaluate(instance, material: material, staleUpstream: [],
                                                            forced: plan.forced.contains(step), lookup: store)
                if case .fresh(let key, let recorded) = freshness {
                    state[step] = .done(recorded)
                    summary.cached.append(instance.name)
                    reporter.report(.cached(instance.name))
                    let now = Date()
                    reused.append(ExecutionOutcome(
                        stage: instance.name, kind: instance.kind.kind, key: key, material: material, cached: true,
                        status: .succeeded, start: now, end: now, error: nil,
                        outputs: outputFormats(instance, recorded), inputs: inputObjects(instance, outputs),
                        metrics: [:], measurements: [:], threads: 0))
                    progressed = true
                    continue
                }
                guard running < options.jobs else { continue }
                // A body may read this run's executions from the index (the report's provenance):
                // record the cache reuses so far first.
                try store.record(reused, run: runID)
                reused.removeAll()
                state[step] = .running
                running += 1
                progressed = true
                launch(step, material: material, inputs: inputObjects(instance, outputs), runID: runID)
            }
            if progressed { continue }
            try store.record(reused, run: runID)
            reused.removeAll()
            if running == 0 { break }

            // Wait for a body to finish, then store its outputs on this thread (one writer).
            condition.lock()
            while completions.isEmpty { condition.wait() }
            let finished = completions
            completions.removeAll()
            condition.unlock()
            for completion in finished {
                running -= 1
                let instance = graph.instances[completion.step]
                switch completion.result {
                case .success(let context):
                    do {
                        let recorded = try ingestOutputs(instance, context: context)
                        try store.record(ExecutionOutcome(
                            stage: instance.name, kind: instance.kind.kind, key: completion.material.key,
                            material: completion.material, cached: false, status: .succeeded,
                            start: completion.start, end: completion.end, error: nil,
                            outputs: outputFormats(instance, recorded), inputs: completion.inputs,
                            metrics: context.metrics, measurements: context.measurements,
                            threads: context.threads), run: runID)
                        state[completion.step] = .done(recorded)
                        summary.executed.append(instance.name)
                        reporter.report(.finished(instance.name, seconds: completion.end.timeIntervalSince(completion.start)))
                        try? FileManager.default.removeItem(at: context.scratch)
                    } catch let error as StageError {
                        fail(completion, error: error, state: &state, summary: &summary, runID: runID)
                        if !options.keepGoing { stopping = true }
                    }
                case .failure(let error):
                    fail(completion, error: error, state: &state, summary: &summary, runID: runID)
                    if !options.keepGoing { stopping = true }
                }
            }
        }
        for step in plan.steps {
            guard case .pending = state[step]! else { continue }
            summary.skipped.append(graph.instances[step].name)
            reporter.report(.skipped(graph.instances[step].name, because: "stopped after a failure; --keep-going runs it"))
        }
        summary.wallSeconds = Date().timeIntervalSince(started)
        try store.finishRun(runID, status: summary.failed.isEmpty ? .succeeded : .failed)
        return summary
    }

    // MARK: - Running one body

    private func launch(_ step: Int, material: KeyMaterial, inputs: [String: [StoredObject]], runID: Int64) {
        let instance = graph.instances[step]
        reporter.report(.started(instance.name))
        let threads = options.threadsPerStage
        Thread.detachNewThread { [self] in
            let start = Date()
            let result: Result<StageContext, Error> = Result {
                try StageRunner.run(instance, inputs: inputs, store: store, threads: threads, key: material.key,
                                    runID: runID, onProgress: { [reporter] in reporter.report(.progress(instance.name, $0)) })
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

    private func fail(_ completion: Completion, error: Error, state: inout [Int: State], summary: inout RunSummary,
                      runID: Int64) {
        let instance = graph.instances[completion.step]
        let text = (error as? StageError)?.message ?? "\(error)"
        state[completion.step] = .failed
        summary.failed.append((instance.name, text))
        reporter.report(.failed(instance.name, error: text))
        try? store.record(ExecutionOutcome(
            stage: instance.name, kind: instance.kind.kind, key: completion.material.key, material: completion.material,
            cached: false, status: .failed, start: completion.start, end: completion.end, error: text, outputs: [:],
            inputs: completion.inputs, metrics: [:], measurements: [:], threads: options.threadsPerStage), run: runID)
    }

    // MARK: - Helpers

    private func inputObjects(_ instance: StageInstance, _ outputs: [String: [String: StoredObject]])
        -> [String: [StoredObject]] {
        instance.inputs.mapValues { refs in refs.map { outputs[$0.stage]![$0.output]! } }
    }

    private func outputFormats(_ instance: StageInstance, _ recorded: [String: StoredObject])
        -> [String: (StoredObject, OutputFormat)] {
        Dictionary(uniqueKeysWithValues: instance.kind.outputs.compactMap { spec in
            recorded[spec.name].map { (spec.name, ($0, spec.format)) }
        })
    }
}

/// Why a stage failed (kept in the index and shown by `show`).
public enum StageError: Error, CustomStringConvertible {
    case damagedInput(stage: String, input: String, hash: String)
    case bodyFailed(stage: String, error: String)
    case missingOutput(stage: String, output: String, path: String)
    case storeFailed(stage: String, error: String)

    public var message: String {
        switch self {
        case let .damagedInput(_, input, hash):
            "input '\(input)' object \(hash.prefix(12))… does not match its recorded hash (corrupted); "
                + "run `batchlab verify` and reproduce again"
        case let .bodyFailed(_, error): error
        case let .missingOutput(_, output, path):
            "the stage did not write its output '\(output)' (\(path)); the stage kind has a bug"
        case let .storeFailed(_, error): "could not store outputs: \(error)"
        }
    }

    public var description: String {
        switch self {
        case let .damagedInput(stage, _, _), let .bodyFailed(stage, _), let .missingOutput(stage, _, _),
             let .storeFailed(stage, _):
            "stage \(stage): \(message)"
        }
    }
}
