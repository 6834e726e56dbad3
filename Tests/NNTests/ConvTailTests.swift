// The kernels' conv-block tail (Tensor's ConvTail: bias + ReLU + 2×2 max-pool and its backward, in C
// with AVX-512 and AVX2) against its definition, NN's BiasReluPool in Swift, bit for bit: on every
// engine the CPU runs, on planes that hit each vector path (16-, 8- and 4-wide steps, the planes 8
// and 16 wide that pack several rows into one vector, with and without a leftover row) and the
// scalar rests, with ties, ±0, ±∞ and NaN in the inputs.
@testable import NN
import Tensor
import XCTest

final class ConvTailTests: XCTestCase {
    static let engines = ConvEngine.allCases.filter { $0.hasOwnKernels && $0.isAvailable }

    /// (channels, height, width): 15 outputs per row (8 + 4 + 3), the study's planes (64, 32, 16, 8),
    /// 16- and 8-wide planes with an odd number of output rows, 20 and 23 outputs (16 + 4 (+ 3)),
    /// 12 (8 + 4), 1 and 2 outputs, odd heights and widths; many channels of 8 + 4 and 16 + 4 (the bias
    /// sums of 8- and 4-wide steps together, whose order matters).
    static let shapes = [(3, 4, 30), (2, 64, 64), (3, 32, 32), (4, 16, 16), (3, 6, 16), (5, 8, 8), (2, 6, 8), (2, 10, 8),
                         (2, 6, 40), (2, 4, 46), (1, 2, 24), (3, 2, 2), (2, 4, 4), (2, 5, 7), (1, 12, 48),
                         (16, 8, 24), (8, 12, 40)]

    override func setUpWithError() throws {
        try XCTSkipIf(Self.engines.isEmpty, "neither AVX-512 nor AVX2 + FMA on this CPU: BiasReluPool runs in Swift only")
    }

    /// Values with many exact ties and signed zeros: a few levels, ±0, and (when `special`) ±∞ and NaN;
    /// `rounding`: most values with full mantissas instead, so that sums in another order round differently.
    func tieHeavy(_ count: Int, seed: UInt64, special: Bool, rounding: Bool = false) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        let levels: [Float] = [-1, -0.5, -0.0, 0, 0.25, 0.5, 1, 3]
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let r = Int(state >> 33)
            if special && r % 97 == 0 { return [Float.infinity, -.infinity, .nan][r / 97 % 3] }
            if rounding && r % 4 != 0 { return Float(r % 1_000_003) / 999_983 * [1, -1, 1e-3, -1e3][r / 7 % 4] }
            return r % 3 == 0 ? Float(r % 2001 - 1000) / 997 : levels[r % levels.count]
        }
    }

    func bits(_ a: [Float]) -> [UInt32] { a.map(\.bitPattern) }

    func testForwardHasTheBitsOfBiasReluPool() {
        for engine in Self.engines {
            var seen = Set<UInt8>(), zeros = 0
            for (k, h, w) in Self.shapes {
                for special in [false, true] {
                    let label = "\(engine) \(k)×\(h)×\(w) special: \(special)"
                    let conv = tieHeavy(k * h * w, seed: UInt64(k * 1000 + h * 10 + w), special: special)
                    let bias: [Float] = (0..<k).map { [0, -0.0, 0.5, -0.25, -1][$0 % 5] }
                    let n = k * (h / 2) * (w / 2)
                    var pooled = [Float](repeating: .nan, count: n), argmax = [UInt8](repeating: 9, count: n)
                    BiasReluPool.forward(conv, bias: bias, channels: k, height: h, width: w, pooled: &pooled, argmax: &argmax)
                    var fast = [Float](repeating: .nan, count: n), fastArgmax = [UInt8](repeating: 9, count: n)
                    fastArgmax.withUnsafeMutableBufferPointer { idx in
                        ConvTail.forward(engine, conv: conv, bias: bias, channels: k, height: h, width: w, pooled: &fast,
                                         argmax: idx.baseAddress!)
                    }
                    XCTAssertEqual(bits(fast), bits(pooled), label + " pooled")
                    XCTAssertEqual(fastArgmax, argmax, label + " argmax")
                    var only = [Float](repeating: .nan, count: n), fastOnly = only
                    BiasReluPool.forwardNoIndices(conv, bias: bias, channels: k, height: h, width: w, pooled: &only)
                    ConvTail.forward(engine, conv: conv, bias: bias, channels: k, height: h, width: w, pooled: &fastOnly, argmax: nil)
                    XCTAssertEqual(bits(fastOnly), bits(only), label + " without indices")
                    seen.formUnion(argmax)
                    zeros += pooled.filter { $0 == 0 }.count
                }
            }
            // The data must exercise what it claims to (the tiny planes alone would not).
            XCTAssertEqual(seen, [0, 1, 2, 3], "\(engine): every argmax index should occur")
            XCTAssertGreaterThan(zeros, 100, "\(engine): the ReLU should clip")
        }
    }

    func testBackwardHasTheBitsOfBiasReluPool() {
        for engine in Self.engines {
            for (k, h, w) in Self.shapes {
                let label = "\(engine) \(k)×\(h)×\(w)"
                let n = k * (h / 2) * (w / 2)
                // Any pooled values and indices, not only a forward pass's: ±0 and negatives gate the gradient.
                let pooled = tieHeavy(n, seed: UInt64(n + 7), special: false)
                let dPooled = tieHeavy(n, seed: UInt64(n + 8), special: false, rounding: true)
                let argmax = tieHeavy(n, seed: UInt64(n + 9), special: false).enumerated().map { UInt8(($0.offset * 7 + Int($0.element.bitPattern % 5)) % 4) }
                let start: [Float] = (0..<k).map { [0.125, -0.0, 0, 1e-3, -7][$0 % 5] }
                var dConv = [Float](repeating: .nan, count: k * h * w), dBias = start
                BiasReluPool.backward(dPooled: dPooled, pooled: pooled, argmax: argmax, channels: k, height: h, width: w,
                                      dConv: &dConv, dBias: &dBias)
                var fastConv = [Float](repeating: .nan, count: k * h * w), fastBias = start
                ConvTail.backward(engine, dPooled: dPooled, pooled: pooled, argmax: argmax, channels: k, height: h, width: w,
                                  dConv: &fastConv, dBias: &fastBias)
                // Rows and columns past an odd height or width are left alone by both.
                XCTAssertEqual(bits(fastConv), bits(dConv), label + " dConv")
                XCTAssertEqual(bits(fastBias), bits(dBias), label + " dBias")
                XCTAssertTrue(n < 8 || Set(argmax).count == 4, label + ": every index should occur")
            }
        }
    }

    /// The network picks the tail by engine: one training gradient with the engine's kernels equals the
    /// same engine's gradient with the Swift tail, which is what the network ran before.
    func testEngineDispatchMatchesSwiftOnAForwardBackwardPair() {
        for engine in Self.engines {
            let (k, h, w) = (16, 64, 64)
            let conv = tieHeavy(k * h * w, seed: 42, special: false), bias = tieHeavy(k, seed: 43, special: false)
            let n = k * (h / 2) * (w / 2)
            var pooled = [Float](repeating: .nan, count: n), argmax = [UInt8](repeating: 9, count: n)
            var swiftPooled = pooled, swiftArgmax = argmax
            argmax.withUnsafeMutableBufferPointer { idx in
                BiasReluPool.forward(conv, bias: bias, channels: k, height: h, width: w, pooled: &pooled, argmax: idx.baseAddress!,
                                     engine: engine)
            }
            swiftArgmax.withUnsafeMutableBufferPointer { idx in
                BiasReluPool.forward(conv, bias: bias, channels: k, height: h, width: w, pooled: &swiftPooled, argmax: idx.baseAddress!,
                                     engine: .openBLAS)
            }
            XCTAssertEqual(bits(pooled), bits(swiftPooled), "\(engine) forward")
            XCTAssertEqual(argmax, swiftArgmax, "\(engine) argmax")
            let dPooled = tieHeavy(n, seed: 44, special: false)
            var dConv = [Float](repeating: .nan, count: k * h * w), dBias = [Float](repeating: 0, count: k)
            var swiftConv = dConv, swiftBias = dBias
            BiasReluPool.backward(dPooled: dPooled, pooled: pooled, argmax: argmax, channels: k, height: h, width: w,
                                  dConv: &dConv, dBias: &dBias, engine: engine)
            BiasReluPool.backward(dPooled: dPooled, pooled: pooled, argmax: argmax, channels: k, height: h, width: w,
                                  dConv: &swiftConv, dBias: &swiftBias, engine: .openBLAS)
            XCTAssertEqual(bits(dConv), bits(swiftConv), "\(engine) dConv")
            XCTAssertEqual(bits(dBias), bits(swiftBias), "\(engine) dBias")
        }
    }
}
