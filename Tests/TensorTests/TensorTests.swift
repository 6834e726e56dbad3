// im2col/col2im, GEMM, closeness, partitions, the seeded generator and the core-type choice.
@testable import Tensor
import TestSupport
import XCTest

/// n seeded uniform values in [−1, 1) (the Tensor tests' data).
func values(_ n: Int, _ seed: UInt64) -> [Float] {
    var g = SeededGenerator(seed: seed)
    return (0..<n).map { _ in 2 * g.nextUnitFloat() - 1 }
}

final class TensorTests: XCTestCase {
    func testUnfoldMatchesDefinitionAndFoldIsItsAdjoint() {
        let (c, h, w) = (2, 3, 5)
        let x = values(c * h * w, 1)
        var col = [Float](repeating: .nan, count: c * 9 * h * w)
        Im2col.unfold3x3(x, channels: c, height: h, width: w, into: &col)
        for ci in 0..<c { for ky in 0..<3 { for kx in 0..<3 { for y in 0..<h { for xx in 0..<w {
            let sy = y + ky - 1, sx = xx + kx - 1
            let expected: Float = (sy < 0 || sy >= h || sx < 0 || sx >= w) ? 0 : x[(ci * h + sy) * w + sx]
            XCTAssertEqual(col[((ci * 9 + ky * 3 + kx) * h + y) * w + xx], expected)
        } } } } }
        // ⟨unfold(x), d⟩ = ⟨x, fold(d)⟩
        var d = values(col.count, 2)
        var folded = [Float](repeating: .nan, count: x.count)
        Im2col.fold3x3(&d, channels: c, height: h, width: w, into: &folded)
        let lhs = zip(col, d).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x, folded).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(lhs, rhs, accuracy: 1e-4)
    }

    func testSgemmTransposesAndAccumulation() {
        let (m, n, k) = (3, 4, 5)
        let a = values(m * k, 3), b = values(k * n, 4)
        func naive(_ a: (Int, Int) -> Float, _ b: (Int, Int) -> Float) -> [Float] {
            (0..<(m * n)).map { idx in (0..<k).reduce(Float(0)) { $0 + a(idx / n, $1) * b($1, idx % n) } }
        }
        let expected = naive({ a[$0 * k + $1] }, { b[$0 * n + $1] })
        var c = [Float](repeating: 0, count: m * n)
        GEMM.sgemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, beta: 0, c: &c, ldc: n)
        XCTAssertNil(Closeness.check(c, expected, atol: 1e-5, rtol: 1e-5))
        // The same product from transposed storage, accumulated onto C.
        let at = (0..<(k * m)).map { a[($0 % m) * k + $0 / m] }, bt = (0..<(n * k)).map { b[($0 % k) * n + $0 / k] }
        GEMM.sgemm(transA: true, transB: true, m: m, n: n, k: k, a: at, lda: m, b: bt, ldb: k, beta: 1, c: &c, ldc: n)
        XCTAssertNil(Closeness.check(c, expected.map { 2 * $0 }, atol: 1e-5, rtol: 1e-5))
    }

    func testClosenessReportsWhereItFails() {
        XCTAssertNil(Closeness.check([1, 2, 3] as [Float], [1, 2, 3.000001] as [Double], atol: 1e-5, rtol: 0))
        let report = Closeness.check([1, 2, 3.5] as [Float], [1, 2, 3] as [Double], atol: 1e-5, rtol: 1e-5, label: "t")
        XCTAssertNotNil(report)
        XCTAssertTrue(report!.contains("first bad index 2"), report!)
        XCTAssertNotNil(Closeness.check([Float.nan], [1.0], atol: 1, rtol: 1))
        XCTAssertNotNil(Closeness.check([1] as [Float], [1, 2] as [Double], atol: 1, rtol: 1))
    }

    func testPartitionAndParallelCoverEveryChunkOnce() {
        let p = ChunkPartition(count: 20, chunkSize: 8)
        XCTAssertEqual(p.chunkCount, 3)
        XCTAssertEqual(p.range(ofChunk: 2), 16..<20)
        for threads in 1...3 {
            let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: 7)
            hits.initialize(repeating: 0)
            Parallel.forEachChunk(7, threads: threads) { c, _ in hits[c] += 1 }
            XCTAssertEqual(Array(hits), Array(repeating: 1, count: 7))
            hits.deallocate()
        }
    }

    func testSeededGeneratorIsStableAndUniform() {
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 1)
        let first = (0..<5).map { _ in a.next() }
        XCTAssertEqual(first, (0..<5).map { _ in b.next() })
        // SplitMix64's published first output for seed 1 (pins the stream: changing it changes every θ₀).
        XCTAssertEqual(first[0], 0x910A_2DEC_8902_5CC1)
        var g = SeededGenerator(seed: 9)
        let u = (0..<20000).map { _ in g.nextUnitFloat() }
        XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(Double(u.reduce(0, +)) / 20000, 0.5, accuracy: 0.01)
        let z = (0..<20000).map { _ in g.nextGaussian() }
        XCTAssertEqual(z.reduce(0, +) / 20000, 0, accuracy: 0.03)
        XCTAssertEqual(z.reduce(0) { $0 + $1 * $1 } / 20000, 1, accuracy: 0.04)
    }

    func testConvEngineChoiceHonoursTheVariableOrSaysWhyNot() {
        let both: Set<ConvEngine> = [.avx512, .avx2], avx2Only: Set<ConvEngine> = [.avx2]
        // Unset: the widest kernel set the CPU has, then OpenBLAS.
        XCTAssertEqual(ConvEngine.choose(requested: nil, supported: both).engine, .avx512)
        XCTAssertEqual(ConvEngine.choose(requested: nil, supported: avx2Only).engine, .avx2)
        XCTAssertEqual(ConvEngine.choose(requested: "", supported: []).engine, .openBLAS)
        // Forced, in any case.
        for (value, engine) in [("OpenBLAS", ConvEngine.openBLAS), ("avx2", .avx2), ("AVX512", .avx512)] {
            let forced = ConvEngine.choose(requested: value, supported: both)
            XCTAssertEqual(forced.engine, engine, value)
            XCTAssertNil(forced.warning, value)
        }
        let typo = ConvEngine.choose(requested: "avx", supported: both)
        XCTAssertEqual(typo.engine, .avx512)
        XCTAssertEqual(typo.warning, "BATCHLAB_CONV_KERNELS=avx is not one of avx512, avx2, openblas; using avx512")
        // A kernel set the CPU lacks: warn and fall back to the automatic choice.
        let noAVX512 = ConvEngine.choose(requested: "avx512", supported: avx2Only)
        XCTAssertEqual(noAVX512.engine, .avx2)
        XCTAssertEqual(noAVX512.warning, "BATCHLAB_CONV_KERNELS=avx512, but this CPU (or OS) has no AVX-512F and FMA; using avx2")
        let noAVX2 = ConvEngine.choose(requested: "avx2", supported: [])
        XCTAssertEqual(noAVX2.engine, .openBLAS)
        XCTAssertTrue(noAVX2.warning?.contains("no AVX2 and FMA") == true)
    }

    func testCoreTypeChoiceFollowsCPUFlags() {
        let skx: Set<String> = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
        XCTAssertEqual(NumericEnvironment.preferredCoreType(cpuFlags: skx), "SkylakeX")
        XCTAssertEqual(NumericEnvironment.preferredCoreType(cpuFlags: ["avx2", "fma", "avx512f"]), "Haswell")
        XCTAssertNil(NumericEnvironment.preferredCoreType(cpuFlags: ["sse4_2", "avx"]))
        XCTAssertFalse(NumericEnvironment.blasInfo().coreName.isEmpty)
    }
}
