// Parallel.forEachChunk on the persistent team: every chunk exactly once whether the helpers are
// polling, asleep, or busy with another caller's loop (then Dispatch runs the loop).
import Dispatch
import Foundation
import Synchronization
@testable import Tensor
import XCTest

final class WorkerTeamTests: XCTestCase {
    /// forEachChunk over `chunks` chunks; returns how often each chunk ran and which workers ran.
    static func hits(_ chunks: Int, threads: Int, work: (Int) -> Void = { _ in }) -> (counts: [Int], workers: Set<Int>) {
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
        let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
        defer { counts.deallocate(); seen.deallocate() }
        counts.initialize(repeating: 0); seen.initialize(repeating: -1)
        Parallel.forEachChunk(chunks, threads: threads) { c, w in
            work(c)
            counts[c] += 1
            seen[c] = w
        }
        return (Array(counts), Set(seen))
    }

    func testLoopsBackToBackAfterPollingAndAfterSleepingRunEveryChunkOnce() {
        for threads in [2, 3] {
            var used = Set<Int>()
            for round in 0..<300 {
                // Gaps shorter and longer than the helpers' polling window, so they are caught both awake and asleep.
                if round % 3 == 1 { usleep(UInt32(WorkerTeam.pollNanoseconds / 1000) + 500) }
                let (counts, workers) = Self.hits(9, threads: threads) { _ in usleep(50) }
                XCTAssertEqual(counts, Array(repeating: 1, count: 9), "threads \(threads), round \(round)")
                XCTAssertTrue(workers.allSatisfy { $0 >= 0 && $0 < threads }, "worker index out of range: \(workers)")
                used.formUnion(workers)
            }
            XCTAssertEqual(used, Set(0..<threads), "every worker took part at some point (\(threads) threads)")
        }
    }

    func testConcurrentAndNestedLoopsFallBackAndStillRunEveryChunkOnce() {
        // Two callers at once: one holds the team, the other runs on Dispatch.
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for _ in 0..<200 where Self.hits(7, threads: 2).counts != Array(repeating: 1, count: 7) {
                failures.wrappingAdd(1, ordering: .relaxed)
            }
        }
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
        // A loop inside a loop's body.
        let inner = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4 * 5)
        defer { inner.deallocate() }
        inner.initialize(repeating: 0)
        Parallel.forEachChunk(4, threads: 2) { outer, _ in
            Parallel.forEachChunk(5, threads: 2) { c, _ in inner[outer * 5 + c] += 1 }
        }
        XCTAssertEqual(Array(inner), Array(repeating: 1, count: 20))
    }
}
