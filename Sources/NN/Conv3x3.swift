// 3×3 convolution, stride 1, zero padding 1, one image at a time, as im2col + GEMM (BatchLab's
// AVX-512 or AVX2 kernels, or OpenBLAS: `ConvEngine`).
// Convention for every layer in NN: backward ACCUMULATES (+=) parameter gradients and
// OVERWRITES input gradients. The bias is handled by the fused BiasReluPool step that follows.
import Tensor

public enum Conv3x3 {
    /// Pixels per OpenBLAS GEMM (the `openblas` engine): larger planes (64×64, 32×32 in the 64×64 model)
    /// are cut into column tiles of this width, because OpenBLAS ran e.g. 16×4096×27 at ~37 GFLOP/s but
    /// 16×1024×27 at ~100 (session 1's shape table). Part of the arithmetic of the weight gradient (summed
    /// tile by tile). The own-kernel engines do not tile (their bits do not depend on tiling).
    public static let columnTile = 1024

    /// out = W ⊛ x (no bias).
    /// x: (C, H, W) · w: (K, C·9) · col: workspace (C·9, H·W) · out: (K, H·W), overwritten.
    @inline(__always)
    public static func forward(_ x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, shape s: ConvBlockShape,
                               col: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>,
                               engine: ConvEngine = .preferred, tile: Int = columnTile) {
        let hw = s.height * s.width, ck = s.inChannels * 9
        // Every layer, the first (C·9 = 27) included: OpenBLAS's 256-bit kernels ran it at a third of the
        // AVX-512 kernel's rate plus an im2col copy (docs/performance.md, perf8).
        if engine.hasOwnKernels {
            // No im2col: the kernel packs its panels from the image (same bits as unfold + ConvGEMM.nn).
            ConvGEMM.conv3x3Forward(engine, channels: s.inChannels, height: s.height, width: s.width, outChannels: s.outChannels,
                                    weights: w, x: x, out: out)
            return
        }
        Im2col.unfold3x3(x, channels: s.inChannels, height: s.height, width: s.width, into: col)
        for t in stride(from: 0, to: hw, by: tile) {
            GEMM.sgemm(m: s.outChannels, n: min(tile, hw - t), k: ck, a: w, lda: ck, b: col + t, ldb: hw, beta: 0, c: out + t, ldc: hw)
        }
    }

    /// Gradients of out = W ⊛ x given dOut. The weight gradient comes out TRANSPOSED, (C·9, K): OpenBLAS
    /// computed col·dOutᵀ 5–50 % faster than dOut·colᵀ on these shapes (session 1's shape table), so
    /// callers accumulate dWᵀ over several images and add it once with `addTransposed`.
    /// x: (C, H, W) · w: (K, C·9) · dOut: (K, H·W) · dWT: (C·9, K), += · dX: (C, H, W), overwritten (nil: skip,
    /// e.g. for the input image) · col: workspace (C·9, H·W) · dCol: workspace (max(C·9, K), H·W).
    @inline(__always)
    public static func backward(_ x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, dOut: UnsafePointer<Float>,
                                shape s: ConvBlockShape, col: UnsafeMutablePointer<Float>, dCol: UnsafeMutablePointer<Float>,
                                dWT: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>?,
                                engine: ConvEngine = .preferred, tile: Int = columnTile) {
        let hw = s.height * s.width, ck = s.inChannels * 9
        let k = s.outChannels
        if engine.hasOwnKernels {
            // dWᵀ += col·dOutᵀ as an outer-product GEMM over dOut transposed to (HW, K), parked in dCol
            // (a dot-product kernel along pixels loses to its lane reductions at these sizes). With one
            // vector of output channels (the first layer, K = 16) it is load-bound, yet still ahead of OpenBLAS's
            // im2col + packing.
            ConvGEMM.transpose(engine, rows: k, cols: hw, src: dOut, lds: hw, dst: dCol, ldd: k)
            ConvGEMM.conv3x3WeightGradient(engine, channels: s.inChannels, height: s.height, width: s.width, outChannels: k,
                                           x: x, dOutT: dCol, dWT: dWT, scratch: col)  // col: C·9·H·W ≥ the padded image
        } else {
            // dWᵀ(C·9, K) += col(C·9, HW) · dOut(K, HW)ᵀ, tile by tile in pixel order
            Im2col.unfold3x3(x, channels: s.inChannels, height: s.height, width: s.width, into: col)
            for t in stride(from: 0, to: hw, by: tile) {
                GEMM.sgemm(transB: true, m: ck, n: k, k: min(tile, hw - t), a: col + t, lda: hw, b: dOut + t, ldb: hw,
                           beta: 1, c: dWT, ldc: k)
            }
        }
        guard let dX else { return }
        if engine.hasOwnKernels {
            // dCol(C·9, HW) = W(K, C·9)ᵀ · dOut(K, HW), then fold back onto the image (the kernels' fold:
            // the bits of Im2col.fold3x3, which Swift compiles for SSE2 only).
            ConvGEMM.nn(engine, m: ck, n: hw, k: k, a: w, aRow: 1, aCol: ck, b: dOut, ldb: hw, c: dCol, ldc: hw, accumulate: false)
            ConvGEMM.fold3x3(engine, channels: s.inChannels, height: s.height, width: s.width, dCol: dCol, into: dX)
        } else {
            for t in stride(from: 0, to: hw, by: tile) {
                GEMM.sgemm(transA: true, m: ck, n: min(tile, hw - t), k: k, a: w, lda: ck, b: dOut + t, ldb: hw,
                           beta: 0, c: dCol + t, ldc: hw)
            }
            Im2col.fold3x3(dCol, channels: s.inChannels, height: s.height, width: s.width, into: dX)
        }
    }

    /// `addTransposed` on the engine's kernels (same bits: one add per element), or in Swift for OpenBLAS.
    @inline(__always)
    public static func addTransposed(_ dWT: UnsafePointer<Float>, shape s: ConvBlockShape, into dW: UnsafeMutablePointer<Float>,
                                     engine: ConvEngine) {
        if engine.hasOwnKernels {
            ConvGEMM.addTransposed(engine, rows: s.inChannels * 9, cols: s.outChannels, src: dWT, dst: dW)
        } else {
            addTransposed(dWT, shape: s, into: dW)
        }
    }

    /// dW(K, C·9) += dWTᵀ, the layout step after `backward`'s transposed weight gradient.
    /// dWT: (C·9, K) · dW: (K, C·9).
    public static func addTransposed(_ dWT: UnsafePointer<Float>, shape s: ConvBlockShape, into dW: UnsafeMutablePointer<Float>) {
        let ck = s.inChannels * 9, k = s.outChannels
        for o in 0..<k {
            let row = dW + o * ck
            for r in 0..<ck { row[r] += dWT[r * k + o] }
        }
    }
}
