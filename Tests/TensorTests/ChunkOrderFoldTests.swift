// ChunkOrderFold: chunks' partial sums folded by the workers as the chunks finish have the bits of the
// serial loop after the parallel one, whatever the thread count and the order in which chunks finish.
import Foundation
@testable import Tensor
import XCTest

final class ChunkOrderFoldTests: XCTestCase {
    /// chunks × length slot values spread over eight decades, so that summing the slots in another
    /// order changes the bits (checked below: a test of the order must be able to see the order).
    func slots(chunks: Int, length: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<(chunks * length)).map { _ in
            (2 * g.nextUnitFloat() - 1) * Float(pow(10.0, Double(Int(g.next() % 9))))
        }
    }

    /// The loop Network ran before the fold: r = s₀, then r += s_c for c = 1, 2, … (in `order`).
    func serial(_ s: [Float], length: Int, order: [Int]) -> [Float] {
        var r = Array(s[(order[0] * length)..<((order[0] + 1) * length)])
        for c in order.dropFirst() {
            for j in 0..<length { r[j] += s[c * length + j] }
        }
        return r
    }

    /// Each chunk "computes" its slot (copies it from `s` after `delay(chunk)`), then finishes it into
    /// the fold. Returns the result and the order of the folds.
    func folded(_ s: [Float], chunks: Int, length: Int, threads: Int, fold: ChunkOrderFold,
                delay: @escaping @Sendable (Int) -> Void) -> (result: [Float], order: [Int]) {
        let work = UnsafeMutableBufferPointer<Float>.allocate(capacity: chunks * length)
        let result = UnsafeMutableBufferPointer<Float>.allocate(capacity: length)
        let order = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
        defer { work.deallocate(); result.deallocate(); order.deallocate() }
        work.initialize(repeating: .nan); result.initialize(repeating: .nan); order.initialize(repeating: -1)
        let folds = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        defer { folds.deallocate() }
        folds.pointee = 0
        fold.reset(chunks: chunks)
        s.withUnsafeBufferPointer { source in
            Parallel.forEachChunk(chunks, threads: threads) { c, _ in
                delay(c)
                for j in 0..<length { work[c * length + j] = source[c * length + j] }
                fold.finish(c) { k in
                    // Folds never overlap, so this counter needs no atomics (a race would show as a lost fold).
                    order[folds.pointee] = k
                    folds.pointee += 1
                    if k == 0 {
                        for j in 0..<length { result[j] = work[j] }
                    } else {
                        for j in 0..<length { result[j] += work[k * length + j] }
                    }
                }
            }
        }
        XCTAssertEqual(fold.folded, chunks)
        return (Array(result), Array(order))
    }

    func testFoldHasTheSerialLoopsBitsForAnyThreadCountAndFinishingOrder() {
        let fold = ChunkOrderFold(capacity: 17)  // one fold state, reset for every loop, as in Network
        var orderSensitive = 0
        for chunks in [1, 2, 3, 5, 8, 17] {
            for length in [1, 7, 1000, 1001] {
                let s = slots(chunks: chunks, length: length, seed: UInt64(100 * chunks + length))
                let expected = serial(s, length: length, order: Array(0..<chunks)).map(\.bitPattern)
                if chunks >= 3 && expected != serial(s, length: length, order: Array((0..<chunks).reversed())).map(\.bitPattern) {
                    orderSensitive += 1
                }
                let delays: [(String, @Sendable (Int) -> Void)] = [
                    ("none", { _ in }),
                    // Later chunks finish first: every fold waits for chunk 0, then one worker folds them all.
                    ("reversed", { c in usleep(UInt32(300 * (chunks - c))) }),
                    // Even chunks slow: folds hand over between workers.
                    ("alternating", { c in if c % 2 == 0 { usleep(400) } }),
                ]
                for threads in [1, 2, 3] {
                    for (name, delay) in delays {
                        let (result, order) = folded(s, chunks: chunks, length: length, threads: threads, fold: fold, delay: delay)
                        XCTAssertEqual(order, Array(0..<chunks), "fold order, \(chunks) chunks, \(threads) threads, delay \(name)")
                        XCTAssertEqual(result.map(\.bitPattern), expected,
                                       "\(chunks) chunks × \(length), \(threads) threads, delay \(name): not the serial loop's bits")
                    }
                }
            }
        }
        // The data can tell the orders apart (else the bit comparisons above could not fail).
        XCTAssertGreaterThanOrEqual(orderSensitive, 10, "test data too benign to detect a change of summation order")
    }

    func testAChunkIsFoldedOnlyOnceEveryEarlierChunkHasFinished() {
        let fold = ChunkOrderFold(capacity: 2)
        fold.reset(chunks: 2)
        var folds: [Int] = []
        fold.finish(1) { folds.append($0) }
        XCTAssertEqual(folds, [], "chunk 1 folded before chunk 0")
        fold.finish(0) { folds.append($0) }
        XCTAssertEqual(folds, [0, 1])
        XCTAssertEqual(fold.folded, 2)
        fold.reset(chunks: 1)
        XCTAssertEqual(fold.folded, 0)
    }
}
