// Fixed partitions of a batch into chunks, and a parallel loop whose thread count (and scheduling)
// changes only who computes a chunk, never what is computed (the basis of BatchLab's
// thread-count-invariant bits).
import Dispatch
import Synchronization

/// A batch of `count` items cut into consecutive chunks of `chunkSize` (the last may be shorter).
/// The cut depends on nothing but these two numbers, so per-chunk partial sums reduced in chunk
/// order give the same bits whatever the thread count.
public struct ChunkPartition: Sendable, Hashable {
    public let count: Int
    public let chunkSize: Int

    public init(count: Int, chunkSize: Int) {
        precondition(count >= 0 && chunkSize >= 1, "invalid partition \(count)/\(chunkSize)")
        self.count = count
        self.chunkSize = chunkSize
    }

    public var chunkCount: Int { (count + chunkSize - 1) / chunkSize }

    public func range(ofChunk chunk: Int) -> Range<Int> {
        let start = chunk * chunkSize
        return start..<min(count, start + chunkSize)
    }
}

public enum Parallel {
    /// Runs `body(chunk, worker)` for every chunk in 0..<chunks on `threads` workers and returns when
    /// all are done. Workers claim the next unclaimed chunk (so a core the host slows down simply
    /// does fewer chunks); `worker` identifies the caller's per-worker workspace. Which worker runs a
    /// chunk varies from run to run, so `body` must make a chunk's result depend only on the chunk.
    public static func forEachChunk(_ chunks: Int, threads: Int, _ body: (_ chunk: Int, _ worker: Int) -> Void) {
        let workers = max(1, min(threads, chunks))
        if workers == 1 {
            for c in 0..<chunks { body(c, 0) }
            return
        }
        let next = Atomic<Int>(0)
        // The persistent team (WorkerTeam) unless another loop holds it, e.g. a second Network on another
        // thread or a loop inside a loop's body; then Dispatch's pool.
        let ran = WorkerTeam.shared.run(workers: workers) { w in claimChunks(chunks, next: next, worker: w, body) }
        if ran { return }
        withoutActuallyEscaping(body) { body in
            // Workers touch disjoint chunks and their own workspaces: the caller's contract.
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in claimChunks(chunks, next: next, worker: w, box.value) }
        }
    }

    /// One worker's share: claims the next unclaimed chunk until none is left.
    @inline(__always)
    private static func claimChunks(_ chunks: Int, next: borrowing Atomic<Int>, worker: Int, _ body: (Int, Int) -> Void) {
        while true {
            let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard c < chunks else { return }
            body(c, worker)
        }
    }
}

private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
