// `batchlab-bench gemm [--model 64x64]`: GFLOP/s of the three GEMMs of each conv layer (forward, dWᵀ, dCol)
// for one image on one core, as Conv3x3 runs them on each engine the CPU has (OpenBLAS in column
// tiles, without its im2col; the kernels with the im2col-free forward and weight gradient), and the fraction
// of the core's own FMA peak (`batchlab-bench peak`). Shows where each engine wins or loses.
import ArgumentParser
import Kernels
import NN
import Tensor

struct GEMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm", abstract: "GFLOP/s of each conv layer's three GEMMs on every engine, against the FMA peak.")

    @Option(help: "The model (32x32 or 64x64).")
    var model = BenchModel.small

    func run() throws { GEMMShapes.run(model.spec) }
}

struct PeakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peak", abstract: "One core's FMA peak with 256- and 512-bit vectors.")

    func run() throws { GEMMShapes.runPeak() }
}

enum GEMMShapes {
    enum Op: String { case forward = "fwd", weightGradient = "dWᵀ", columnGradient = "dCol" }

    /// The FMA peak of one core (GFLOP/s) with the widest vectors the CPU has, and their width.
    static func peak(seconds: Double = 0.3) -> (gflops: Double, bits: Int) {
        let wide = bl_fma_peak_gflops(512, seconds), narrow = bl_fma_peak_gflops(256, seconds)
        return wide > narrow ? (wide, 512) : (narrow, 256)
    }

    static func runPeak() {
        NumericEnvironment.setBLASThreads(1)
        for bits in [256, 512] {
            let rates = (0..<5).map { _ in bl_fma_peak_gflops(Int32(bits), 0.2) }
            guard rates.max()! > 0 else { emit("FMA peak, \(bits)-bit vectors: not supported by this CPU"); continue }
            emit(String(format: "FMA peak, %d-bit vectors, one core: %.1f GFLOP/s (best of 5 × 0.2 s; median %.1f)",
                        bits, rates.max()!, medianOf(rates)))
        }
    }

    static func run(_ spec: ModelSpec) {
        NumericEnvironment.setBLASThreads(1)
        let engines = ConvEngine.allCases.reversed().filter(\.isAvailable)  // OpenBLAS first
        let top = peak()
        emit(String(format: "one core's FMA peak: %.1f GFLOP/s (%d-bit vectors); GFLOP/s for one image, (%% of that peak)", top.gflops, top.bits))
        emit("layer  op     m×n×k            " + engines.map { $0.rawValue.leftPadded(15) }.joined())
        for (i, s) in spec.convBlocks.enumerated() {
            let hw = s.height * s.width, ck = s.inChannels * 9, k = s.outChannels
            let w = filled(k * ck, 7), x = filled(s.inChannels * hw, 5), col = filled(ck * hw, 5), dOut = filled(k * hw, 3)
            let out = FloatBuffer(count: max(k, ck) * hw), dWT = FloatBuffer(count: ck * k)
            var ops: [(Op, String)] = [(.forward, "\(k)×\(hw)×\(ck)"), (.weightGradient, "\(ck)×\(k)×\(hw)")]
            if i > 0 { ops.append((.columnGradient, "\(ck)×\(hw)×\(k)")) }
            for (op, shape) in ops {
                var cells = ""
                for engine in engines {
                    let call = {
                        switch (op, engine.hasOwnKernels) {
                        case (.forward, true):
                            ConvGEMM.conv3x3Forward(engine, channels: s.inChannels, height: s.height, width: s.width, outChannels: k,
                                                    weights: w.pointer, x: x.pointer, out: out.pointer)
                        case (.forward, false):
                            for t in stride(from: 0, to: hw, by: Conv3x3.columnTile) {
                                GEMM.sgemm(m: k, n: min(Conv3x3.columnTile, hw - t), k: ck, a: w.pointer, lda: ck, b: col.pointer + t,
                                           ldb: hw, beta: 0, c: out.pointer + t, ldc: hw)
                            }
                        case (.weightGradient, true):  // as Conv3x3: transpose dOut, then an outer-product GEMM
                            ConvGEMM.transpose(engine, rows: k, cols: hw, src: dOut.pointer, lds: hw, dst: out.pointer, ldd: k)
                            ConvGEMM.conv3x3WeightGradient(engine, channels: s.inChannels, height: s.height, width: s.width, outChannels: k,
                                                           x: x.pointer, dOutT: out.pointer, dWT: dWT.pointer, scratch: col.pointer)
                        case (.weightGradient, false):
                            for t in stride(from: 0, to: hw, by: Conv3x3.columnTile) {
                                GEMM.sgemm(transB: true, m: ck, n: k, k: min(Conv3x3.columnTile, hw - t), a: col.pointer + t, lda: hw,
                                           b: dOut.pointer + t, ldb: hw, beta: 1, c: dWT.pointer, ldc: k)
                            }
                        case (.columnGradient, true):
                            ConvGEMM.nn(engine, m: ck, n: hw, k: k, a: w.pointer, aRow: 1, aCol: ck, b: dOut.pointer, ldb: hw,
                                        c: out.pointer, ldc: hw, accumulate: false)
                        case (.columnGradient, false):
                            for t in stride(from: 0, to: hw, by: Conv3x3.columnTile) {
                                GEMM.sgemm(transA: true, m: ck, n: min(Conv3x3.columnTile, hw - t), k: k, a: w.pointer, lda: ck,
                                           b: dOut.pointer + t, ldb: hw, beta: 0, c: out.pointer + t, ldc: hw)
                            }
                        }
                    }
                    for _ in 0..<10 { call() }
                    // Best of three 0.1 s runs: the host's neighbours only ever slow a run down.
                    let rate = (0..<3).map { _ in
                        var reps = 0
                        let t0 = Machine.now()
                        while Machine.now() - t0 < 0.1 { call(); reps += 1 }
                        return 2.0 * Double(k * hw * ck) * Double(reps) / (Machine.now() - t0) / 1e9
                    }.max()!
                    cells += String(format: "%6.0f (%3.0f%%)", rate, 100 * rate / top.gflops).leftPadded(15)
                }
                emit("conv\(i + 1)  " + op.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                     + shape.padding(toLength: 17, withPad: " ", startingAt: 0) + cells)
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
