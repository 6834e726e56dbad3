// `batchlab-bench --gemm`: GFLOP/s of OpenBLAS (single-threaded) on the GEMM shapes the network's
// conv layers produce, per image and per 8-image chunk, to see where BLAS efficiency is lost.
import NN
import Tensor

enum GEMMShapes {
    struct Shape { var label: String; var transA: Bool; var transB: Bool; var m: Int; var n: Int; var k: Int }

    static func shapes(_ spec: ModelSpec) -> [Shape] {
        var list: [Shape] = []
        for (i, b) in spec.convBlocks.enumerated() {
            let hw = b.height * b.width, ck = b.inChannels * 9, k = b.outChannels
            list.append(Shape(label: "conv\(i + 1) fwd", transA: false, transB: false, m: k, n: hw, k: ck))
            list.append(Shape(label: "conv\(i + 1) fwd×8", transA: false, transB: false, m: k, n: 8 * hw, k: ck))
            list.append(Shape(label: "conv\(i + 1) fwdᵀ", transA: false, transB: false, m: hw, n: k, k: ck))
            list.append(Shape(label: "conv\(i + 1) dW", transA: false, transB: true, m: k, n: ck, k: hw))
            list.append(Shape(label: "conv\(i + 1) dWᵀ", transA: false, transB: true, m: ck, n: k, k: hw))
            list.append(Shape(label: "conv\(i + 1) dW nn", transA: false, transB: false, m: k, n: ck, k: hw))
            list.append(Shape(label: "conv\(i + 1) dWᵀ tn", transA: true, transB: false, m: ck, n: k, k: hw))
            list.append(Shape(label: "conv\(i + 1) dW×8", transA: false, transB: true, m: k, n: ck, k: 8 * hw))
            if i > 0 { list.append(Shape(label: "conv\(i + 1) dCol", transA: true, transB: false, m: ck, n: hw, k: k)) }
            if i > 0 { list.append(Shape(label: "conv\(i + 1) dCol×8", transA: true, transB: false, m: ck, n: 8 * hw, k: k)) }
        }
        return list
    }

    static func run(_ spec: ModelSpec) {
        NumericEnvironment.setBLASThreads(1)
        for s in shapes(spec) {
            let a = FloatBuffer(count: s.m * s.k), b = FloatBuffer(count: s.k * s.n), c = FloatBuffer(count: s.m * s.n)
            for i in 0..<a.count { a.pointer[i] = Float(i % 7) * 0.1 }
            for i in 0..<b.count { b.pointer[i] = Float(i % 5) * 0.1 }
            let call = {
                GEMM.sgemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, a: a.pointer, lda: s.transA ? s.m : s.k,
                           b: b.pointer, ldb: s.transB ? s.k : s.n, beta: 1, c: c.pointer, ldc: s.n)
            }
            for _ in 0..<10 { call() }
            var reps = 0
            let t0 = Machine.now()
            while Machine.now() - t0 < 0.2 { call(); reps += 1 }
            let gflops = 2.0 * Double(s.m * s.n * s.k) * Double(reps) / (Machine.now() - t0) / 1e9
            emit("\(s.label.padding(toLength: 14, withPad: " ", startingAt: 0)) \(s.m)×\(s.n)×\(s.k): \(Int(gflops)) GFLOP/s")
        }
    }
}
