// The GEMMs of a 3×3 convolution, on BatchLab's own kernels (module Kernels: AVX-512 or AVX2 + FMA)
// where the CPU has them and OpenBLAS elsewhere. All engines are exact up to float rounding; OpenBLAS
// adds in another order than the kernels, so the engine is part of a run's numeric environment
// (`BLASInfo`). The two kernel sets keep one FMA chain per element and give each other's bits.
import Kernels
#if canImport(Glibc)
import Glibc
#endif

public enum ConvEngine: String, Sendable, CaseIterable {
    /// `bl_avx512_*`: faster than OpenBLAS on the study's conv shapes past the first layer.
    case avx512
    /// `bl_avx2_*`: the same design for AVX2 + FMA CPUs (Haswell+, Zen 2+), 6×16 or 4×24 C tiles.
    case avx2
    /// OpenBLAS sgemm in column tiles (`Conv3x3.columnTile`): any CPU.
    case openBLAS = "openblas"

    public static let variable = "BATCHLAB_CONV_KERNELS"

    /// The engine a Network uses: the widest kernel set the CPU supports (AVX-512, then AVX2), unless
    /// BATCHLAB_CONV_KERNELS asks for another one (`avx512`, `avx2`, `openblas`: for comparisons and
    /// debugging). A value that cannot be honoured is reported once on stderr.
    public static let preferred: ConvEngine = {
        let choice = choose(requested: requested, supported: Set(allCases.filter(\.isAvailable)))
        if let warning = choice.warning {
            var text = "batchlab: warning: " + warning + "\n"
            _ = text.withUTF8 { write(2, $0.baseAddress, $0.count) }
        }
        return choice.engine
    }()

    /// The value of BATCHLAB_CONV_KERNELS, if set.
    public static var requested: String? { getenv(variable).map { String(cString: $0) } }

    /// The engine for a BATCHLAB_CONV_KERNELS value (nil or empty: unset; case does not matter) on a
    /// CPU that supports `supported` (OpenBLAS always), and why the value could not be honoured, if it could not.
    public static func choose(requested: String?, supported: Set<ConvEngine>) -> (engine: ConvEngine, warning: String?) {
        let automatic = allCases.first { $0 == .openBLAS || supported.contains($0) }!  // allCases: widest first
        guard let raw = requested, !raw.isEmpty else { return (automatic, nil) }
        guard let wanted = ConvEngine(rawValue: raw.lowercased()) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            return (automatic, "\(variable)=\(raw) is not one of \(names); using \(automatic.rawValue)")
        }
        if wanted != .openBLAS && !supported.contains(wanted) {
            return (automatic, "\(variable)=\(raw), but this CPU (or OS) has no \(wanted.instructionSets); using \(automatic.rawValue)")
        }
        return (wanted, nil)
    }

    /// What the CPU must support for this engine, for messages.
    public var instructionSets: String {
        switch self {
        case .avx512: "AVX-512F and FMA"
        case .avx2: "AVX2 and FMA"
        case .openBLAS: "x86-64 or ARM64 (any)"
        }
    }

    public var isAvailable: Bool {
        switch self {
        case .avx512: bl_avx512_available() == 1
        case .avx2: bl_avx2_available() == 1
        case .openBLAS: true
        }
    }

    /// True for BatchLab's own kernels (`ConvGEMM`), false for OpenBLAS.
    public var hasOwnKernels: Bool { self != .openBLAS }
}

/// The own-kernel engines' entry points. Each takes the engine (AVX-512 or AVX2: they give the same
/// bits) and must not be called with `.openBLAS` or an engine the CPU lacks (`ConvEngine.isAvailable`).
public enum ConvGEMM {
    /// C(m, n) = op(A)·B (accumulate: C += op(A)·B), with op(A)(i, p) = a[i·aRow + p·aCol], B (k, n)
    /// row-major. Each element is one FMA chain over p in order (Kernels.h).
    @inline(__always)
    public static func nn(_ engine: ConvEngine, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int,
                          b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        switch engine {
        case .avx512: bl_avx512_sgemm_nn(m, n, k, a, aRow, aCol, b, ldb, c, ldc, accumulate ? 1 : 0)
        case .avx2: bl_avx2_sgemm_nn(m, n, k, a, aRow, aCol, b, ldb, c, ldc, accumulate ? 1 : 0)
        case .openBLAS: preconditionFailure("ConvGEMM has no OpenBLAS path: use GEMM.sgemm")
        }
    }

    /// out(K, H·W) = W(K, C·9) ⊛ x(C, H, W) (3×3, stride 1, padding 1) with the im2col panels packed
    /// straight from the image: the bits of `Im2col.unfold3x3` + `nn`.
    @inline(__always)
    public static func conv3x3Forward(_ engine: ConvEngine, channels: Int, height: Int, width: Int, outChannels: Int,
                                      weights: UnsafePointer<Float>, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        switch engine {
        case .avx512: bl_avx512_conv3x3_forward(channels, height, width, outChannels, weights, x, out)
        case .avx2: bl_avx2_conv3x3_forward(channels, height, width, outChannels, weights, x, out)
        case .openBLAS: preconditionFailure("ConvGEMM has no OpenBLAS path: use Im2col + GEMM.sgemm")
        }
    }

    /// dWᵀ(C·9, K) += col·dOutᵀ for x (C, H, W) and dOutᵀ (H·W, K) without an im2col buffer: both
    /// engines read col's elements from a zero-padded copy of x in `scratch` (C·(H+2)·(W+2) floats,
    /// overwritten; `paddedSize`). The bits of `Im2col.unfold3x3` + `nn`.
    @inline(__always)
    public static func conv3x3WeightGradient(_ engine: ConvEngine, channels: Int, height: Int, width: Int, outChannels k: Int,
                                             x: UnsafePointer<Float>, dOutT: UnsafePointer<Float>, dWT: UnsafeMutablePointer<Float>,
                                             scratch: UnsafeMutablePointer<Float>) {
        switch engine {
        case .avx512: bl_avx512_conv3x3_weight_gradient(channels, height, width, k, x, dOutT, dWT, scratch)
        case .avx2: bl_avx2_conv3x3_weight_gradient(channels, height, width, k, x, dOutT, dWT, scratch)
        case .openBLAS: preconditionFailure("ConvGEMM has no OpenBLAS path: use Im2col + GEMM.sgemm")
        }
    }

    /// Floats of `conv3x3WeightGradient`'s scratch: the zero-padded image, C·(H+2)·(W+2) (never more
    /// than an im2col buffer's C·9·H·W).
    public static func paddedSize(channels: Int, height: Int, width: Int) -> Int { channels * (height + 2) * (width + 2) }

    /// dx(C, H, W) = the fold (col2im) of dCol(C·9, H·W), OVERWRITTEN: the bits of `Im2col.fold3x3`, which it
    /// replaces on the own-kernel engines (one vector chain per pixels over the nine taps instead of nine
    /// scalar passes over dx). dCol is only read.
    @inline(__always)
    public static func fold3x3(_ engine: ConvEngine, channels: Int, height: Int, width: Int, dCol: UnsafePointer<Float>,
                               into dx: UnsafeMutablePointer<Float>) {
        switch engine {
        case .avx512: bl_avx512_fold3x3(channels, height, width, dCol, dx)
        case .avx2: bl_avx2_fold3x3(channels, height, width, dCol, dx)
        case .openBLAS: preconditionFailure("ConvGEMM has no OpenBLAS path: use Im2col.fold3x3")
        }
    }

    /// dst(cols, rows) = srcᵀ, src (rows, cols); leading dimensions lds, ldd.
    @inline(__always)
    public static func transpose(_ engine: ConvEngine, rows: Int, cols: Int, src: UnsafePointer<Float>, lds: Int,
                                 dst: UnsafeMutablePointer<Float>, ldd: Int) {
        switch engine {
        case .avx512: bl_avx512_transpose(rows, cols, src, lds, dst, ldd)
        case .avx2: bl_avx2_transpose(rows, cols, src, lds, dst, ldd)
        case .openBLAS: preconditionFailure("ConvGEMM has no OpenBLAS path")
        }
    }

    /// dst(cols, rows) += srcᵀ for src (rows, cols), both packed: one add per element, the bits of the
    /// scalar loop `dst[j·rows + i] += src[i·cols + j]`.
    @inline(__always)
    public static func addTransposed(_ engine: ConvEngine, rows: Int, cols: Int, src: UnsafePointer<Float>, dst: UnsafeMutablePointer<Float>) {
        switch engine {
        case .avx512: bl_avx512_add_transposed(rows, cols, src, dst)
        case .avx2: bl_avx2_add_transposed(rows, cols, src, dst)
        case .openBLAS: preconditionFailure("ConvGEMM has no OpenBLAS path")
        }
    }

    /// The AVX2 product with a chosen C tile (rows × 8·vectors; 0 = default): for tests of the bits
    /// across blockings and for measuring tile shapes (`batchlab-bench --gemm`).
    public static func avx2Tiled(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int, b: UnsafePointer<Float>,
                                 ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, tileRows: Int, tileVectors: Int) {
        precondition(ConvEngine.avx2.isAvailable, "the AVX2 kernels need AVX2 and FMA")
        bl_avx2_sgemm_nn_tiled(m, n, k, a, aRow, aCol, b, ldb, c, ldc, accumulate ? 1 : 0, Int32(tileRows), Int32(tileVectors))
    }

    /// The AVX2 im2col-free forward with a chosen C tile (as `avx2Tiled`).
    public static func avx2Conv3x3ForwardTiled(channels: Int, height: Int, width: Int, outChannels: Int, weights: UnsafePointer<Float>,
                                               x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, tileRows: Int, tileVectors: Int) {
        precondition(ConvEngine.avx2.isAvailable, "the AVX2 kernels need AVX2 and FMA")
        bl_avx2_conv3x3_forward_tiled(channels, height, width, outChannels, weights, x, out, Int32(tileRows), Int32(tileVectors))
    }
}
