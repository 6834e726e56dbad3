// The GEMMs of a 3×3 convolution, on BatchLab's own AVX-512 kernels (module Kernels) where the CPU
// has them and OpenBLAS elsewhere. Both engines are exact up to float rounding; they differ in the
// order of additions, so the engine is part of a run's numeric environment (`BLASInfo`).
import Kernels
#if canImport(Glibc)
import Glibc
#endif

public enum ConvEngine: String, Sendable, CaseIterable {
    /// `bl_sgemm_nn`, `bl_conv3x3_forward` and `bl_transpose`: faster than OpenBLAS on the study's
    /// conv shapes past the first layer.
    case avx512
    /// OpenBLAS sgemm in column tiles (`Conv3x3.columnTile`): any CPU.
    case openBLAS = "openblas"

    public static let variable = "BATCHLAB_CONV_KERNELS"

    /// The engine a Network uses: AVX-512 when the CPU supports it, unless BATCHLAB_CONV_KERNELS asks
    /// for `openblas` (the portable path, for comparisons and debugging). A value that cannot be
    /// honoured is reported once on stderr.
    public static let preferred: ConvEngine = {
        let choice = choose(requested: requested, avx512Available: ConvEngine.avx512.isAvailable)
        if let warning = choice.warning {
            var text = "batchlab: warning: " + warning + "\n"
            _ = text.withUTF8 { write(2, $0.baseAddress, $0.count) }
        }
        return choice.engine
    }()

    /// The value of BATCHLAB_CONV_KERNELS, if set.
    public static var requested: String? { getenv(variable).map { String(cString: $0) } }

    /// The engine for a BATCHLAB_CONV_KERNELS value (nil or empty: unset; case does not matter), and
    /// why the value could not be honoured, if it could not.
    public static func choose(requested: String?, avx512Available: Bool) -> (engine: ConvEngine, warning: String?) {
        let automatic: ConvEngine = avx512Available ? .avx512 : .openBLAS
        guard let raw = requested, !raw.isEmpty else { return (automatic, nil) }
        guard let wanted = ConvEngine(rawValue: raw.lowercased()) else {
            return (automatic, "\(variable)=\(raw) is not one of avx512, openblas; using \(automatic.rawValue)")
        }
        if wanted == .avx512 && !avx512Available {
            return (.openBLAS, "\(variable)=\(raw), but this CPU (or OS) has no AVX-512F and FMA; using openblas")
        }
        return (wanted, nil)
    }

    public var isAvailable: Bool {
        switch self {
        case .avx512: bl_kernels_available() == 1
        case .openBLAS: true
        }
    }
}

public enum ConvGEMM {
    /// C(m, n) = op(A)·B (accumulate: C += op(A)·B), with op(A)(i, p) = a[i·aRow + p·aCol], B (k, n)
    /// row-major. Each element is one FMA chain over p in order (Kernels.h). Needs `ConvEngine.avx512`.
    @inline(__always)
    public static func nn(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int,
                          b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        bl_sgemm_nn(m, n, k, a, aRow, aCol, b, ldb, c, ldc, accumulate ? 1 : 0)
    }

    /// out(K, H·W) = W(K, C·9) ⊛ x(C, H, W) (3×3, stride 1, padding 1) with the im2col panels packed
    /// straight from the image: the bits of `Im2col.unfold3x3` + `nn`. Needs `ConvEngine.avx512`.
    @inline(__always)
    public static func conv3x3Forward(channels: Int, height: Int, width: Int, outChannels: Int,
                                      weights: UnsafePointer<Float>, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        bl_conv3x3_forward(channels, height, width, outChannels, weights, x, out)
    }

    /// dst(cols, rows) = srcᵀ, src (rows, cols); leading dimensions lds, ldd. Needs `ConvEngine.avx512`.
    @inline(__always)
    public static func transpose(rows: Int, cols: Int, src: UnsafePointer<Float>, lds: Int, dst: UnsafeMutablePointer<Float>, ldd: Int) {
        bl_transpose(rows, cols, src, lds, dst, ldd)
    }
}
