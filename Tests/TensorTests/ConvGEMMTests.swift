// BatchLab's conv kernels (AVX-512 and AVX2 + FMA) against a Double reference, on shapes that hit
// every tile height, every panel width and the masked column tails, plus the bit-level claims the
// network's determinism rests on. Every kernel set the CPU supports is tested; the class prints which
// ones ran (`make test` repeats that line), and skips only on a CPU with neither.
@testable import Tensor
import TestSupport
import XCTest

final class ConvGEMMTests: XCTestCase {
    /// The kernel sets this CPU runs, widest first.
    static let engines = ConvEngine.allCases.filter { $0.hasOwnKernels && $0.isAvailable }
    var engines: [ConvEngine] { Self.engines }

    override func setUpWithError() throws {
        try XCTSkipIf(engines.isEmpty, "neither AVX-512 nor AVX2 + FMA on this CPU: the conv kernels are not used here")
    }

    override class func tearDown() {
        let names = engines.map(\.rawValue).joined(separator: ", ")
        print("conv engines tested: \(names.isEmpty ? "none (no AVX2 or AVX-512 on this CPU)" : names), openblas")
        super.tearDown()
    }

    /// op(A)·B in Double; op(A)(i, p) = a[i·aRow + p·aCol].
    func reference(m: Int, n: Int, k: Int, a: [Float], aRow: Int, aCol: Int, b: [Float], ldb: Int) -> [Double] {
        (0..<(m * n)).map { idx in
            let i = idx / n, j = idx % n
            return (0..<k).reduce(0.0) { $0 + Double(a[i * aRow + $1 * aCol]) * Double(b[$1 * ldb + j]) }
        }
    }

    func testProductMatchesReferenceForEveryBlockShapeAndBothLayoutsOfA() {
        for engine in engines {
            for (m, n, k) in [(1, 1, 1), (3, 7, 5), (8, 16, 9), (9, 17, 27), (16, 33, 4), (27, 48, 13), (13, 64, 40), (7, 100, 3), (11, 70, 300)] {
                let b = values(k * (n + 3), UInt64(m * 100 + n)), ldb = n + 3  // a leading dimension wider than n
                let a = values(m * k, UInt64(k))
                // A stored (m, k): rows of W as in the forward pass.
                var c = [Float](repeating: .nan, count: m * n)
                ConvGEMM.nn(engine, m: m, n: n, k: k, a: a, aRow: k, aCol: 1, b: b, ldb: ldb, c: &c, ldc: n, accumulate: false)
                XCTAssertNil(Closeness.check(c, reference(m: m, n: n, k: k, a: a, aRow: k, aCol: 1, b: b, ldb: ldb),
                                             atol: 1e-5, rtol: 1e-5, label: "\(engine) A·B \(m)×\(n)×\(k)"))
                // A stored (k, m), read transposed: Wᵀ as in dCol. Accumulating onto C adds the product.
                let start = values(m * n, 99)
                var acc = start
                ConvGEMM.nn(engine, m: m, n: n, k: k, a: a, aRow: 1, aCol: m, b: b, ldb: ldb, c: &acc, ldc: n, accumulate: true)
                let product = reference(m: m, n: n, k: k, a: a, aRow: 1, aCol: m, b: b, ldb: ldb)
                XCTAssertNil(Closeness.check(acc, zip(product, start).map { $0 + Double($1) }, atol: 1e-5, rtol: 1e-5,
                                             label: "\(engine) C += Aᵀ·B \(m)×\(n)×\(k)"))
            }
        }
    }

    func testNothingOutsideCIsWritten() {
        for engine in engines {
            for (m, n, k, ldc) in [(5, 19, 6, 24), (13, 41, 300, 48)] {  // a right-edge tile; three blocks of k onto it
                let a = values(m * k, 1), b = values(k * n, 2)
                var c = [Float](repeating: 42, count: m * ldc + 16)
                ConvGEMM.nn(engine, m: m, n: n, k: k, a: a, aRow: k, aCol: 1, b: b, ldb: n, c: &c, ldc: ldc, accumulate: false)
                for i in 0..<m { for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], 42, "\(engine): padding at row \(i), column \(j)") } }
                for j in (m * ldc)..<c.count { XCTAssertEqual(c[j], 42, "\(engine): past the end") }
            }
        }
    }

    /// Kernels.h promises one FMA chain per element: computing C in row and column pieces (another
    /// blocking, as another caller or a different tile would) must give the same bits, as must a
    /// scalar FMA chain in p order.
    func testBitsDoNotDependOnBlockingAndEqualAScalarFMAChain() {
        for engine in engines {
            for k in [31, 300] { checkOneChainPerElement(engine, m: 27, n: 70, k: k) }  // 300: three blocks of k
        }
    }

    func checkOneChainPerElement(_ engine: ConvEngine, m: Int, n: Int, k: Int) {
        let a = values(m * k, 5), b = values(k * n, 6), start = values(m * n, 7)
        var whole = [Float](repeating: 0, count: m * n), accumulated = start
        ConvGEMM.nn(engine, m: m, n: n, k: k, a: a, aRow: k, aCol: 1, b: b, ldb: n, c: &whole, ldc: n, accumulate: false)
        ConvGEMM.nn(engine, m: m, n: n, k: k, a: a, aRow: k, aCol: 1, b: b, ldb: n, c: &accumulated, ldc: n, accumulate: true)
        var pieces = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in pieces.withUnsafeMutableBufferPointer { c in
            for (r0, r1) in [(0, 5), (5, 6), (6, 27)] {
                for (c0, c1) in [(0, 13), (13, 45), (45, 70)] {
                    ConvGEMM.nn(engine, m: r1 - r0, n: c1 - c0, k: k, a: a.baseAddress! + r0 * k, aRow: k, aCol: 1, b: b.baseAddress! + c0,
                                ldb: n, c: c.baseAddress! + r0 * n + c0, ldc: n, accumulate: false)
                }
            }
        } } }
        XCTAssertEqual(whole.map(\.bitPattern), pieces.map(\.bitPattern), "\(engine), k \(k): pieces")
        for idx in 0..<(m * n) {
            var s: Float = 0, t = start[idx]
            for p in 0..<k {
                s = s.addingProduct(a[(idx / n) * k + p], b[p * n + idx % n])  // fused, as the kernel
                t = t.addingProduct(a[(idx / n) * k + p], b[p * n + idx % n])
            }
            guard whole[idx].bitPattern == s.bitPattern, accumulated[idx].bitPattern == t.bitPattern else {
                XCTFail("\(engine), k \(k), element \(idx): \(whole[idx]) vs chain \(s); accumulated \(accumulated[idx]) vs \(t)")
                return
            }
        }
    }

    /// Every AVX2 tile shape (rows × 8·vectors) gives the bits of the default one, and (where the CPU
    /// has both) the AVX-512 kernel's: the engine's tiling is free to change with no change of bits.
    func testAVX2TileShapesAndAVX512GiveTheSameBits() throws {
        try XCTSkipUnless(ConvEngine.avx2.isAvailable, "no AVX2 + FMA on this CPU")
        for (m, n, k) in [(27, 70, 31), (64, 1024, 288), (576, 64, 64), (9, 17, 300)] {
            let a = values(m * k, 11), b = values(k * n, 12), start = values(m * n, 13)
            var expected = start
            ConvGEMM.nn(.avx2, m: m, n: n, k: k, a: a, aRow: k, aCol: 1, b: b, ldb: n, c: &expected, ldc: n, accumulate: true)
            for (rows, vectors) in [(1, 1), (6, 1), (2, 2), (5, 2), (6, 2), (3, 3), (4, 3)] {
                var c = start
                ConvGEMM.avx2Tiled(m: m, n: n, k: k, a: a, aRow: k, aCol: 1, b: b, ldb: n, c: &c, ldc: n, accumulate: true,
                                   tileRows: rows, tileVectors: vectors)
                XCTAssertEqual(c.map(\.bitPattern), expected.map(\.bitPattern), "\(m)×\(n)×\(k), tile \(rows)×\(8 * vectors)")
            }
            if ConvEngine.avx512.isAvailable {
                var c = start
                ConvGEMM.nn(.avx512, m: m, n: n, k: k, a: a, aRow: k, aCol: 1, b: b, ldb: n, c: &c, ldc: n, accumulate: true)
                XCTAssertEqual(c.map(\.bitPattern), expected.map(\.bitPattern), "\(m)×\(n)×\(k): AVX-512 vs AVX2")
            }
        }
    }

    /// The forward conv without im2col packs the numbers unfold3x3 writes: the bits must be equal,
    /// on planes narrower and wider than a panel and with a short last panel (5×7), with every AVX2 tile.
    func testConvForwardWithoutIm2colHasTheBitsOfUnfoldPlusProduct() {
        for engine in engines {
            for (c, h, w, k) in [(4, 8, 8, 16), (16, 32, 32, 32), (3, 5, 7, 9), (64, 4, 4, 64), (32, 16, 16, 64), (15, 64, 64, 20)] {
                let hw = h * w, depth = c * 9
                let x = values(c * hw, UInt64(c + h)), weights = values(k * depth, UInt64(k))
                var col = [Float](repeating: .nan, count: depth * hw)
                Im2col.unfold3x3(x, channels: c, height: h, width: w, into: &col)
                var explicit = [Float](repeating: .nan, count: k * hw), implicit = explicit
                ConvGEMM.nn(engine, m: k, n: hw, k: depth, a: weights, aRow: depth, aCol: 1, b: col, ldb: hw, c: &explicit, ldc: hw,
                            accumulate: false)
                ConvGEMM.conv3x3Forward(engine, channels: c, height: h, width: w, outChannels: k, weights: weights, x: x, out: &implicit)
                XCTAssertEqual(implicit.map(\.bitPattern), explicit.map(\.bitPattern), "\(engine) \(c)×\(h)×\(w) → \(k)")
                guard engine == .avx2 else { continue }
                for (rows, vectors) in [(1, 1), (6, 2), (4, 3), (3, 3)] {
                    var tiled = [Float](repeating: .nan, count: k * hw)
                    ConvGEMM.avx2Conv3x3ForwardTiled(channels: c, height: h, width: w, outChannels: k, weights: weights, x: x, out: &tiled,
                                                     tileRows: rows, tileVectors: vectors)
                    XCTAssertEqual(tiled.map(\.bitPattern), explicit.map(\.bitPattern), "avx2 \(c)×\(h)×\(w) → \(k), tile \(rows)×\(8 * vectors)")
                }
            }
        }
    }

    /// The weight gradient without im2col (col's elements read from a zero-padded copy of the image)
    /// has the bits of unfold3x3 + the product, on planes narrower than a block, a short last group
    /// (5×7), blocks that start and end inside an image row (5×7, 3×50, 1-pixel-wide planes) and several
    /// pixel blocks (64×64), for K below, at and above one vector, and AVX2's right-edge tiles of one and
    /// two vectors (K = 40, 28). And with x = −0, dOutᵀ > 0 and dWᵀ
    /// starting at −0: every chain stays −0 until a padding product (+0) turns it to +0, so a kernel
    /// that skipped the padding instead of multiplying by +0 would keep −0 where the bits say +0.
    func testWeightGradientWithoutIm2colHasTheBitsOfUnfoldPlusProduct() {
        for engine in engines {
            for (c, h, w, k) in [(4, 8, 8, 32), (16, 32, 32, 32), (3, 5, 7, 40), (64, 4, 4, 64), (32, 16, 16, 64), (15, 64, 64, 20), (2, 2, 2, 17),
                                 (2, 3, 50, 33), (3, 9, 1, 32), (5, 6, 11, 28)] {
                for signedZeros in [false, true] {
                    let hw = h * w, depth = c * 9
                    let x = signedZeros ? [Float](repeating: -0.0, count: c * hw) : values(c * hw, UInt64(c * h))
                    let dOutT = values(hw * k, UInt64(k + 1)).map { signedZeros ? abs($0) + 0.5 : $0 }
                    let start = signedZeros ? [Float](repeating: -0.0, count: depth * k) : values(depth * k, 3)
                    var col = [Float](repeating: .nan, count: depth * hw)
                    Im2col.unfold3x3(x, channels: c, height: h, width: w, into: &col)
                    var explicit = start, fused = start
                    ConvGEMM.nn(engine, m: depth, n: k, k: hw, a: col, aRow: hw, aCol: 1, b: dOutT, ldb: k, c: &explicit, ldc: k,
                                accumulate: true)
                    var scratch = [Float](repeating: .nan, count: ConvGEMM.paddedSize(channels: c, height: h, width: w))
                    ConvGEMM.conv3x3WeightGradient(engine, channels: c, height: h, width: w, outChannels: k, x: x, dOutT: dOutT, dWT: &fused,
                                                   scratch: &scratch)
                    let label = "\(engine) \(c)×\(h)×\(w) → \(k), −0: \(signedZeros)"
                    XCTAssertEqual(fused.map(\.bitPattern), explicit.map(\.bitPattern), label)
                    if signedZeros {
                        XCTAssertTrue(explicit.contains { $0.sign == .minus } && explicit.contains { $0.sign == .plus }, label + ": both zeros")
                    }
                }
            }
        }
    }

    /// The kernels' fold has the bits of Im2col.fold3x3 (taps added in order from +0) on planes narrower
    /// than a vector, with a short last group (5×7), several pixel blocks (64×64) and the study's planes;
    /// a column of −0 folds to +0 as in the Swift loop, and dCol is left as it was.
    func testFoldHasTheBitsOfIm2colFold() {
        for engine in engines {
            for (c, h, w) in [(1, 1, 1), (2, 2, 2), (3, 5, 7), (16, 32, 32), (32, 16, 16), (64, 8, 8), (5, 64, 64), (4, 3, 40)] {
                let hw = h * w
                for negativeZeros in [false, true] {
                    let dCol = negativeZeros ? [Float](repeating: -0.0, count: c * 9 * hw) : values(c * 9 * hw, UInt64(c * 31 + hw))
                    var scratch = dCol  // Im2col.fold3x3 zeroes its padding entries
                    var expected = [Float](repeating: .nan, count: c * hw), folded = expected
                    Im2col.fold3x3(&scratch, channels: c, height: h, width: w, into: &expected)
                    dCol.withUnsafeBufferPointer { d in
                        ConvGEMM.fold3x3(engine, channels: c, height: h, width: w, dCol: d.baseAddress!, into: &folded)
                    }
                    XCTAssertEqual(folded.map(\.bitPattern), expected.map(\.bitPattern), "\(engine) \(c)×\(h)×\(w) −0: \(negativeZeros)")
                }
            }
        }
    }

    /// addTransposed is the scalar loop's one add per element (dst + src), with ±0 so a zero's sign
    /// would show a skipped or reordered add, on the study's (C·9, K) shapes and ragged edges.
    func testAddTransposedIsTheScalarLoop() {
        for engine in engines {
            var negativeZeros = 0
            for (rows, cols) in [(27, 16), (144, 32), (288, 64), (576, 64), (9, 17), (45, 40), (1, 1), (20, 3)] {
                let zeros: [Float] = [0, -0.0]
                let src = values(rows * cols, UInt64(rows * cols)).enumerated().map { $0.offset % 4 == 0 ? zeros[$0.offset / 4 % 2] : $0.element }
                let start = values(rows * cols, UInt64(rows + 5)).enumerated().map { $0.offset % 3 == 0 ? zeros[$0.offset / 3 % 2] : $0.element }
                var expected = start, fast = start
                for i in 0..<rows { for j in 0..<cols { expected[j * rows + i] += src[i * cols + j] } }
                ConvGEMM.addTransposed(engine, rows: rows, cols: cols, src: src, dst: &fast)
                XCTAssertEqual(fast.map(\.bitPattern), expected.map(\.bitPattern), "\(engine) (\(rows), \(cols))")
                negativeZeros += expected.filter { $0 == 0 && $0.sign == .minus }.count
            }
            XCTAssertGreaterThan(negativeZeros, 10, "\(engine): the data should keep some −0")
        }
    }

    func testTransposeMatchesDefinition() {
        for engine in engines {
            for (rows, cols) in [(1, 1), (8, 8), (16, 16), (17, 33), (32, 1024), (64, 64), (3, 20)] {
                let src = values(rows * (cols + 2), UInt64(rows + cols)), lds = cols + 2, ldd = rows + 1
                var dst = [Float](repeating: .nan, count: cols * ldd)
                ConvGEMM.transpose(engine, rows: rows, cols: cols, src: src, lds: lds, dst: &dst, ldd: ldd)
                for i in 0..<rows { for j in 0..<cols where dst[j * ldd + i] != src[i * lds + j] {
                    XCTFail("\(engine) (\(rows), \(cols)): dst[\(j), \(i)] = \(dst[j * ldd + i]), src[\(i), \(j)] = \(src[i * lds + j])")
                    return
                } }
            }
        }
    }
}
