// Persistent helper threads for `Parallel.forEachChunk`: a loop hands its body to helpers that poll
// for work for a millisecond before they sleep. A training step runs two parallel loops about a
// millisecond apart at batch 32, and each `DispatchQueue.concurrentPerform` paid ~40 µs to wake a
// sleeping worker on this VM (docs/performance.md, perf9). Which thread runs a chunk never changes
// what is computed, so the team changes speed only.
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One process-wide team; one loop at a time holds it (`run` returns false to a second, concurrent
/// or nested caller, which then uses Dispatch).
final class WorkerTeam: @unchecked Sendable {
    static let shared = WorkerTeam()
    /// How long an idle helper polls for the next loop before it sleeps on a semaphore: longer than the
    /// serial stretch between a step's loops at small batches, short enough to leave the core soon.
    static let pollNanoseconds: UInt64 = 1_000_000

    private let inUse = Atomic<Bool>(false)
    private var helpers: [Helper] = []  // only touched by the holder of `inUse`

    /// Runs body(0) on the calling thread and body(1) … body(workers − 1) on helpers, and returns true
    /// once all have returned; returns false without running anything while another loop holds the team.
    func run(workers: Int, _ body: (_ worker: Int) -> Void) -> Bool {
        guard inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { inUse.store(false, ordering: .releasing) }
        while helpers.count < workers - 1 { helpers.append(Helper(index: helpers.count + 1)) }
        withoutActuallyEscaping(body) { body in
            for h in helpers.prefix(workers - 1) { h.post(body) }
            body(0)
            for h in helpers.prefix(workers - 1) { h.waitUntilDone() }
        }
        return true
    }
}

/// One helper thread: runs the posted body with its index, then polls, then sleeps, until the next post.
private final class Helper: @unchecked Sendable {
    let index: Int
    private let posted = Atomic<UInt64>(0)    // loops posted to this helper
    private let finished = Atomic<UInt64>(0)  // loops it has finished
    private let parked = Atomic<Bool>(false)  // asleep (or about to be) on `wake`
    private let wake = DispatchSemaphore(value: 0)
    // Written by the poster before `posted` is stored (release) and cleared after `finished` is seen
    // (acquire); the helper reads it in between.
    private var job: ((Int) -> Void)?

    init(index: Int) {
        self.index = index
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { raw in
            Unmanaged<Helper>.fromOpaque(raw!).takeUnretainedValue().loop()
        }, Unmanaged.passRetained(self).toOpaque())  // the team keeps its helpers for the process's life
        precondition(created == 0, "WorkerTeam: pthread_create failed (\(created))")
        pthread_detach(thread)
    }

    func post(_ body: @escaping (Int) -> Void) {
        job = body
        posted.store(posted.load(ordering: .relaxed) + 1, ordering: .sequentiallyConsistent)
        // Pairs with `sleep`: either the helper sees the new post, or this sees it parked and wakes it.
        if parked.exchange(false, ordering: .sequentiallyConsistent) { wake.signal() }
    }

    func waitUntilDone() {
        let target = posted.load(ordering: .relaxed)
        var polls = 0
        while finished.load(ordering: .acquiring) != target {
            polls &+= 1
            if polls & 255 == 0 { sched_yield() }  // the helper may share this core with another process
        }
        job = nil
    }

    private func loop() -> Never {
        var seen: UInt64 = 0
        while true {
            seen = nextPost(after: seen)
            runJob()
            finished.store(seen, ordering: .releasing)
        }
    }

    /// Kept out of line so the body's retain and release end before `finished` is stored.
    @inline(never)
    private func runJob() { job!(index) }

    private func nextPost(after seen: UInt64) -> UInt64 {
        var deadline = DispatchTime.now().uptimeNanoseconds + WorkerTeam.pollNanoseconds
        var polls = 0
        while true {
            let p = posted.load(ordering: .acquiring)
            if p != seen { return p }
            polls &+= 1
            guard polls & 255 == 0 else { continue }
            if DispatchTime.now().uptimeNanoseconds < deadline {
                sched_yield()
            } else {
                sleep(seen: seen)
                deadline = DispatchTime.now().uptimeNanoseconds + WorkerTeam.pollNanoseconds
            }
        }
    }

    /// Parks on `wake` unless a post arrived meanwhile (Dekker-style with `post`, all sequentially consistent).
    private func sleep(seen: UInt64) {
        parked.store(true, ordering: .sequentiallyConsistent)
        if posted.load(ordering: .sequentiallyConsistent) != seen {
            // A post arrived: take the flag back unless the poster took it, in which case its signal is coming.
            if parked.exchange(false, ordering: .sequentiallyConsistent) { return }
        }
        wake.wait()
    }
}
