// Sums the per-chunk partial results of a parallel loop in chunk order while the loop still runs:
// the worker that finishes a chunk folds it in (and every finished chunk after it) once all chunks
// before it are folded. Folds run one at a time, in chunk order, so the result has the bits of the
// serial loop `r = s₀; r += s₁; r += s₂; …` run after the parallel one, without its serial time.
import Synchronization

/// The fold state of one parallel loop over chunks; reusable (`reset`), allocation-free per loop.
public final class ChunkOrderFold: Sendable {
    private struct State {
        var finished: [Bool]
        var chunks = 0
        var next = 0         // the next chunk to fold
        var folding = false  // a worker is inside `fold` (folds never overlap)

        /// The next chunk to fold, if it is finished and no one is folding; marks it taken.
        mutating func claim() -> Int? {
            guard !folding, next < chunks, finished[next] else { return nil }
            folding = true
            next += 1
            return next - 1
        }
    }

    private let state: Mutex<State>

    /// For loops of up to `capacity` chunks.
    public init(capacity: Int) {
        precondition(capacity >= 0, "ChunkOrderFold needs capacity ≥ 0")
        state = Mutex(State(finished: [Bool](repeating: false, count: capacity)))
    }

    /// Starts a loop over `chunks` chunks, none finished or folded. Call before the parallel loop.
    public func reset(chunks: Int) {
        state.withLock { s in
            precondition(chunks >= 0 && chunks <= s.finished.count, "ChunkOrderFold: \(chunks) chunks, capacity \(s.finished.count)")
            precondition(!s.folding, "ChunkOrderFold reset during a fold")
            for c in 0..<chunks { s.finished[c] = false }
            s.chunks = chunks
            s.next = 0
        }
    }

    /// Marks `chunk` finished (its partial result complete and no longer written), then, unless another
    /// worker is folding, calls `fold(k)` for k = the first unfolded chunk, k + 1, … while those are
    /// finished. `fold` runs outside the lock; the lock orders each chunk's writes before its fold and
    /// each fold before the next, whichever workers run them.
    public func finish(_ chunk: Int, fold: (_ chunk: Int) -> Void) {
        var k: Int? = state.withLock { s in
            precondition(chunk >= 0 && chunk < s.chunks && !s.finished[chunk], "ChunkOrderFold: chunk \(chunk) finished twice or out of range")
            s.finished[chunk] = true
            return s.claim()
        }
        while let current = k {
            fold(current)
            k = state.withLock { s in
                s.folding = false
                return s.claim()
            }
        }
    }

    /// Chunks folded so far: all of them once every chunk has finished and the loop has returned.
    public var folded: Int { state.withLock { $0.next } }
}
