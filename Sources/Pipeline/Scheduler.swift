// The executor's decisions as a pure state machine: given what happened (a freshness verdict, a
// body that finished or failed, an interruption) it says what to do next (check a step's cache,
// launch a body, skip a step, finish). It does no I/O and knows no stage kinds, so every policy
// (skipped dependents, --keep-going, the job limit, interruption) is unit-tested without running
// anything; `Executor` performs the actions.

/// What happened to a step, as the executor tells the scheduler.
public enum SchedulerEvent: Sendable, Equatable {
    /// The run begins.
    case start
    /// A `.check` was answered: the step's outputs are reusable (`cached`) or it must run.
    case checked(Int, cached: Bool)
    /// A launched body finished and its outputs are stored and recorded.
    case succeeded(Int)
    /// A launched body (or storing its outputs) failed.
    case failed(Int)
    /// A launched body stopped early because the run is being interrupted (its resume files stay).
    case stopped(Int)
    /// Ctrl-C or SIGTERM: start nothing new, let running bodies end.
    case interrupt
}

/// Why a step is not run.
public enum SkipReason: Sendable, Equatable {
    /// A producer failed or was itself skipped (the step that did not finish).
    case upstream(Int)
    /// Another stage failed and --keep-going was not given.
    case stoppedAfterFailure
    /// The run was interrupted before the step started.
    case interrupted
}

/// What the executor must do next, in order.
public enum SchedulerAction: Sendable, Equatable {
    /// Compute the step's key from its producers' outputs (all done) and look it up; answer with `.checked`.
    case check(Int)
    /// Run the step's body (a job slot is free; its key is already known from its check).
    case launch(Int)
    case skip(Int, SkipReason)
    /// Nothing is running or pending: record the run's end.
    case finish(RunResult)
}

public struct Scheduler: Sendable {
    /// Where each step is. `ready` steps were checked and must run; they wait for a job slot with
    /// their verdict kept, so a step is looked up in the cache exactly once per run.
    public enum StepState: Sendable, Equatable { case pending, checking, ready, running, done, failed, skipped }

    public private(set) var states: [Int: StepState]
    private let steps: [Int]
    private let producers: [Int: [Int]]
    private let jobs: Int
    private let keepGoing: Bool
    /// Steps that run alone (`Stage.exclusive`: a timing measurement).
    private let exclusive: Set<Int>
    private var running = 0
    private var exclusiveRunning = false
    private var failedAny = false
    private var interrupted = false
    private var finished = false

    /// - steps: the plan's steps in topological order; producers: each step's dependencies (all in `steps`);
    ///   exclusive: steps that must run with nothing else running (they wait for the running bodies to
    ///   end, and nothing new starts while one waits or runs).
    public init(steps: [Int], producers: [Int: [Int]], jobs: Int, keepGoing: Bool, exclusive: Set<Int> = []) {
        precondition(jobs >= 1, "at least one job slot")
        self.steps = steps
        self.producers = producers
        self.jobs = jobs
        self.keepGoing = keepGoing
        self.exclusive = exclusive
        states = Dictionary(uniqueKeysWithValues: steps.map { ($0, .pending) })
    }

    /// Applies an event and returns the actions it enables, in plan order.
    public mutating func handle(_ event: SchedulerEvent) -> [SchedulerAction] {
        precondition(!finished, "event \(event) after the run finished")
        switch event {
        case .start: break
        case let .checked(step, cached):
            expect(step, in: .checking)
            states[step] = cached ? .done : .ready
        case .succeeded(let step):
            expect(step, in: .running)
            ended(step)
            states[step] = .done
        case .failed(let step):
            expect(step, in: .running)
            ended(step)
            states[step] = .failed
            failedAny = true
        case .stopped(let step):
            expect(step, in: .running)
            ended(step)
            states[step] = .skipped
            interrupted = true  // a body may see the stop request before the executor tells us
        case .interrupt:
            interrupted = true
        }
        return pass()
    }

    /// Whether no new step may start (a failure without --keep-going, or an interruption).
    public var isStopping: Bool { interrupted || (failedAny && !keepGoing) }

    // MARK: - One pass over the plan

    private mutating func pass() -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        // An exclusive step that waits holds every other launch back, so the running bodies drain
        // and it gets the machine to itself as soon as they end (not after the whole plan).
        var exclusiveWaiting = steps.contains { states[$0] == .ready && exclusive.contains($0) }
        for step in steps {
            switch states[step]! {
            case .pending:
                let mine = producers[step] ?? []
                if let bad = mine.first(where: { states[$0] == .failed || states[$0] == .skipped }) {
                    states[step] = .skipped
                    actions.append(.skip(step, .upstream(bad)))
                } else if !isStopping, mine.allSatisfy({ states[$0] == .done }) {
                    states[step] = .checking
                    actions.append(.check(step))
                }
            case .ready where !isStopping && exclusive.contains(step):
                guard running == 0 else { break }
                states[step] = .running
                running += 1
                exclusiveRunning = true
                actions.append(.launch(step))
            case .ready where !isStopping && running < jobs && !exclusiveRunning && !exclusiveWaiting:
                states[step] = .running
                running += 1
                actions.append(.launch(step))
            default: break
            }
        }
        // Still waiting on an answer or a body: the run goes on.
        if running > 0 || states.values.contains(.checking) { return actions }
        for step in steps where states[step] == .pending || states[step] == .ready {
            states[step] = .skipped
            actions.append(.skip(step, interrupted ? .interrupted : .stoppedAfterFailure))
        }
        finished = true
        actions.append(.finish(interrupted ? .interrupted : failedAny ? .failed : .succeeded))
        return actions
    }

    private mutating func ended(_ step: Int) {
        running -= 1
        if exclusive.contains(step) { exclusiveRunning = false }
    }

    private func expect(_ step: Int, in state: StepState) {
        precondition(states[step] == state, "step \(step) is \(String(describing: states[step])), expected \(state)")
    }
}
