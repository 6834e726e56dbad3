// `batchlab-bench --gemm [64x64]`: GFLOP/s of the three GEMMs of each conv layer (forward, dWᵀ, dCol)
// for one image, as Conv3x3 runs them: OpenBLAS single-threaded in column tiles, and BatchLab's
// AVX-512 kernels (when the CPU has them). Shows where the conv engine wins or loses.
import NN
import Tensor

enum GEMMShapes {
    enum Op: String { case forward = "fwd", weightGradient = "dWᵀ", columnGradient = "dCol" }

    static func run(_ spec: ModelSpec) {
        NumericEnvironment.setBLASThreads(1)
        emit("layer  op     m×n×k              OpenBLAS   AVX-512  (GFLOP/s, one image)")
        for (i, s) in spec.convBlocks.enumerated() {
            let hw = s.height * s.width, ck = s.inChannels * 9, k = s.outChannels
            let w = filled(k * ck, 7), col = filled(ck * hw, 5), dOut = filled(k * hw, 3)
            let out = FloatBuffer(count: max(k, ck) * hw), dWT = FloatBuffer(count: ck * k)
            var ops: [(Op, String)] = [(.forward, "\(k)×\(hw)×\(ck)"), (.weightGradient, "\(ck)×\(k)×\(hw)")]
            if i > 0 { ops.append((.columnGradient, "\(ck)×\(hw)×\(k)")) }
            for (op, shape) in ops {
                var rates: [String] = []
                for engine in [ConvEngine.openBLAS, .avx512] {
                    guard engine.isAvailable else { rates.append("-"); continue }
                    let call = {
                        switch (op, engine) {
                        case (.forward, .avx512):
                            ConvGEMM.nn(m: k, n: hw, k: ck, a: w.pointer, aRow: ck, aCol: 1, b: col.pointer, ldb: hw,
                                        c: out.pointer, ldc: hw, accumulate: false)
                        case (.forward, .openBLAS):
                            for t in stride(from: 0, to: hw, by: Conv3x3.columnTile) {
                                GEMM.sgemm(m: k, n: min(Conv3x3.columnTile, hw - t), k: ck, a: w.pointer, lda: ck, b: col.pointer + t,
                                           ldb: hw, beta: 0, c: out.pointer + t, ldc: hw)
                            }
                        case (.weightGradient, .avx512):  // as Conv3x3: transpose dOut, then an outer-product GEMM
                            ConvGEMM.transpose(rows: k, cols: hw, src: dOut.pointer, lds: hw, dst: out.pointer, ldd: k)
                            ConvGEMM.nn(m: ck, n: k, k: hw, a: col.pointer, aRow: hw, aCol: 1, b: out.pointer, ldb: k, c: dWT.pointer, ldc: k,
                                        accumulate: true)
                        case (.weightGradient, .openBLAS):
                            for t in stride(from: 0, to: hw, by: Conv3x3.columnTile) {
                                GEMM.sgemm(transB: true, m: ck, n: k, k: min(Conv3x3.columnTile, hw - t), a: col.pointer + t, lda: hw,
                                           b: dOut.pointer + t, ldb: hw, beta: 1, c: dWT.pointer, ldc: k)
                            }
                        case (.columnGradient, .avx512):
                            ConvGEMM.nn(m: ck, n: hw, k: k, a: w.pointer, aRow: 1, aCol: ck, b: dOut.pointer, ldb: hw,
                                        c: out.pointer, ldc: hw, accumulate: false)
                        case (.columnGradient, .openBLAS):
                            for t in stride(from: 0, to: hw, by: Conv3x3.columnTile) {
                                GEMM.sgemm(transA: true, m: ck, n: min(Conv3x3.columnTile, hw - t), k: k, a: w.pointer, lda: ck,
                                           b: dOut.pointer + t, ldb: hw, beta: 0, c: out.pointer + t, ldc: hw)
                            }
                        }
                    }
                    for _ in 0..<10 { call() }
                    var reps = 0
                    let t0 = Machine.now()
                    while Machine.now() - t0 < 0.2 { call(); reps += 1 }
                    rates.append(String(Int(2.0 * Double(k * hw * ck) * Double(reps) / (Machine.now() - t0) / 1e9)))
                }
                emit("conv\(i + 1)  " + op.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                     + shape.padding(toLength: 18, withPad: " ", startingAt: 0)
                     + rates[0].leftPadded(9) + rates[1].leftPadded(10))
            }
        }
    }

    static func filled(_ count: Int, _ period: Int) -> FloatBuffer {
        let buffer = FloatBuffer(count: count)
        for i in 0..<count { buffer.pointer[i] = Float(i % period) * 0.1 - 0.2 }
        return buffer
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
