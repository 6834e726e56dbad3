// Stage bodies as Slurm jobs. Instances of one fan-out that become ready together go out as ONE job
// array; a job's folder (`artifacts/jobs/<cache key>/`) holds its job file, receipt, outputs and
// logs on the shared filesystem; its id goes into the index (clusterJob), written only here, in
// the controller. A poller asks squeue about every job in flight; a job that ended (or vanished)
// is judged by its receipt. Jobs lost to the cluster are submitted again up to `retries` times;
// a stage's own error never is. A rerun after the controller was killed re-attaches to jobs still
// queued or running, and adopts the outputs of those that finished meanwhile.
import Foundation
import Store

final class SlurmLauncher: BodyLauncher, @unchecked Sendable {
    private struct Tracked {
        let request: BodyRequest
        let folder: URL
        let attempt: Int
        let done: @Sendable (BodyCompletion) -> Void
        let started: Date
    }

    private let settings: SlurmSettings
    private let store: ArtifactStore
    private let reporter: ProgressReporter
    private let client = SlurmClient()
    private let lock = NSLock()
    private var active: [String: Tracked] = [:]  // job id ("12" or "12_3") → its stage
    private var polling = false
    private var stopping = false

    init(settings: SlurmSettings, store: ArtifactStore, reporter: ProgressReporter) {
        self.settings = settings
        self.store = store
        self.reporter = reporter
    }

    private var book: ClusterJobBook {
        get throws {
            guard let book = store as? ClusterJobBook else { throw SlurmError.noJobsFolder }
            return book
        }
    }

    // MARK: - Launching: re-attach, adopt, or submit

    func launch(_ requests: [BodyRequest], done: @escaping @Sendable (BodyCompletion) -> Void) throws {
        let book = try book
        var toSubmit: [BodyRequest] = []
        for request in requests {
            let folder = book.jobsFolder.appendingPathComponent(request.key, isDirectory: true)
            if let previous = try book.job(forKey: request.key),
               case .active(let state) = (try? client.states([previous.jobId]))?[previous.jobId] ?? .vanished {
                reporter.report(.note(request.instance.name, "re-attached to Slurm job \(previous.jobId) (\(state))"))
                track(previous.jobId, Tracked(request: request, folder: folder, attempt: previous.attempt, done: done,
                                              started: previous.submittedAt))
                continue
            }
            // A job for this key finished while no controller watched: its receipt says so.
            if let receipt = StageReceipt.read(folder.appendingPathComponent(StageJob.receiptName)), receipt.status == .succeeded {
                reporter.report(.note(request.instance.name, "adopted the outputs of a Slurm job that finished meanwhile"))
                try book.forgetJob(key: request.key)
                done(BodyCompletion(step: request.step,
                                    result: .success(.fromJobFolder(folder, instance: request.instance, receipt: receipt,
                                                                    threads: request.threads)),
                                    start: receipt.started, end: receipt.ended))
                continue
            }
            toSubmit.append(request)
        }
        // One array per fan-out (instances of one stage with the same resources).
        var batches: [[BodyRequest]] = []
        for request in toSubmit {
            if let i = batches.firstIndex(where: { $0[0].instance.group == request.instance.group
                && $0[0].instance.resources == request.instance.resources && tasks($0[0]) == tasks(request) }) {
                batches[i].append(request)
            } else {
                batches.append([request])
            }
        }
        for batch in batches { try submit(batch, attempt: 1, done: done) }
    }

    /// MPI stages (`workers: N`) get an N-task allocation; mpirun inside it starts the ranks.
    private func tasks(_ request: BodyRequest) -> Int {
        if case .int(let n)? = request.instance.parameters["workers"], n > 1 { return n }
        return 1
    }

    private func submit(_ batch: [BodyRequest], attempt: Int, done: @escaping @Sendable (BodyCompletion) -> Void) throws {
        let book = try book
        let began = Date()
        var folders: [URL] = []
        do {
            for request in batch {
                let folder = book.jobsFolder.appendingPathComponent(request.key, isDirectory: true)
                try? FileManager.default.removeItem(at: folder)  // an earlier attempt's files
                _ = try JobFolder.prepare(request, store: store, folder: folder)
                folders.append(folder)
            }
            let script = book.jobsFolder.appendingPathComponent("submit-\(UUID().uuidString.lowercased()).sh")
            try Data(SlurmScript.text(folders: folders, executable: settings.executable).utf8).write(to: script)
            defer { try? FileManager.default.removeItem(at: script) }  // sbatch keeps its own copy
            let first = batch[0].instance
            let arguments = SlurmScript.arguments(first.resources, tasks: tasks(batch[0]),
                                                  arraySize: batch.count > 1 ? batch.count : nil, name: first.group,
                                                  directory: settings.workingDirectory, extra: settings.sbatchArguments)
            let id = try client.submit(arguments, script: script)
            let ids = batch.count > 1 ? batch.indices.map { "\(id)_\($0)" } : [id]
            try book.recordJobs(zip(batch, zip(ids, folders)).map { request, job in
                ClusterJobRecord(key: request.key, stage: request.instance.name, jobId: job.0, folder: job.1.path,
                                 attempt: attempt)
            })
            for (request, (jobId, folder)) in zip(batch, zip(ids, folders)) {
                reporter.report(.note(request.instance.name, "submitted as Slurm job \(jobId)"
                                      + (attempt > 1 ? " (attempt \(attempt))" : "")))
                track(jobId, Tracked(request: request, folder: folder, attempt: attempt, done: done, started: began))
            }
        } catch let error as SlurmError {
            for request in batch {
                done(BodyCompletion(step: request.step, result: .failure(StageError.bodyFailed(
                    stage: request.instance.name, error: "could not submit to Slurm: \(error)")), start: began, end: Date()))
            }
        }
    }

    private func track(_ id: String, _ tracked: Tracked) {
        let start = lock.withLock { () -> Bool in
            active[id] = tracked
            defer { polling = true }
            return !polling
        }
        if start { Thread.detachNewThread { [self] in poll() } }
    }

    // MARK: - Polling

    /// Asks squeue about every job in flight until none is left.
    private func poll() {
        while true {
            Thread.sleep(forTimeInterval: settings.pollInterval)
            let ids = lock.withLock { () -> [String] in
                if active.isEmpty { polling = false }
                return Array(active.keys)
            }
            if ids.isEmpty { return }
            guard let states = try? client.states(ids) else { continue }  // slurmctld busy: ask again
            for (id, state) in states.sorted(by: { $0.key < $1.key }) {
                if case .active = state { continue }
                guard let tracked = lock.withLock({ active.removeValue(forKey: id) }) else { continue }
                judge(id, tracked, state: state)
            }
        }
    }

    /// A job that is no longer queued or running: its receipt decides; without one, how it ended.
    private func judge(_ id: String, _ tracked: Tracked, state: SlurmState) {
        let request = tracked.request, name = request.instance.name
        let receiptURL = tracked.folder.appendingPathComponent(StageJob.receiptName)
        let stopping = lock.withLock { self.stopping }
        var receipt = StageReceipt.read(receiptURL)
        // NFS: the node that ran the job wrote the receipt; this one may see it a little later.
        let deadline = Date().addingTimeInterval(stopping ? 0 : settings.latencyWait)
        while receipt == nil, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            receipt = StageReceipt.read(receiptURL)
        }
        let finish = { (result: Result<BodyResult, Error>) in
            try? (self.store as? ClusterJobBook)?.forgetJob(key: request.key)
            tracked.done(BodyCompletion(step: request.step, result: result, start: tracked.started, end: Date()))
        }
        if let receipt, receipt.status != .interrupted || stopping {
            finish(Result { try BodyResult.judge(folder: tracked.folder, instance: request.instance, threads: request.threads,
                                                 died: "left no receipt") })
            return
        }
        let exit = (try? String(contentsOf: tracked.folder.appendingPathComponent(SlurmScript.exitName), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        var how = "ended \(state.name) as Slurm job \(id)"
        if let exit { how += exit > 128 ? " and " + ProcessDeath.signal(exit - 128) : " (exit status \(exit))" }
        if stopping {
            finish(.failure(StageInterrupted(stage: name, kept: "its resume folder, if any")))
            return
        }
        // Lost to the cluster, not the stage's own error: a node failed, the time limit or memory ran
        // out, the job was preempted, killed from outside, or cancelled before it could report.
        let lost: Bool = switch state {
        case .ended(let s): SlurmState.lostToTheCluster.contains(s) || s == "CANCELLED" || receipt != nil
            || exit == 128 + SIGKILL || exit == 128 + SIGTERM
        case .vanished, .completed: receipt != nil || exit == nil || exit == 128 + SIGKILL || exit == 128 + SIGTERM
        case .active: false
        }
        if lost, tracked.attempt <= request.instance.resources.retries {
            reporter.report(.note(name, "\(how); retry \(tracked.attempt) of \(request.instance.resources.retries)"))
            do { try submit([request], attempt: tracked.attempt + 1, done: tracked.done) } catch { finish(.failure(error)) }
            return
        }
        let tail = StderrTail.read(tracked.folder.appendingPathComponent(StageJob.stderrName))
        let retried = tracked.attempt > 1 ? " after \(tracked.attempt) attempts" : ""
        finish(.failure(StageError.processDied(stage: name, how: how + retried
                                                   + (lost && request.instance.resources.retries == 0 ? " (`retries: N` resubmits such jobs)" : ""),
                                               stderrTail: tail)))
    }

    // MARK: - Stopping

    /// Ctrl-C / SIGTERM of the controller: cancel every job in flight (the bodies get SIGTERM and
    /// stop at a safe point; resume folders stay).
    func requestStop() {
        let ids = lock.withLock { () -> [String] in
            stopping = true
            return Array(active.keys)
        }
        client.cancel(ids)
    }

    func abandon() {}
}
