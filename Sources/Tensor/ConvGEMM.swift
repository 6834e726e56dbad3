// The GEMMs of a 3×3 convolution, on BatchLab's own AVX-512 kernels (module Kernels) where the CPU
// has them and OpenBLAS elsewhere. Both engines are exact up to float rounding; they differ in the
// order of additions, so the engine is part of a run's numeric environment (`BLASInfo`).
import Kernels
#if canImport(Glibc)
import Glibc
#endif

public enum ConvEngine: String, Sendable, CaseIterable {
    /// `bl_sgemm_nn` and `bl_transpose`: no packing; faster than OpenBLAS on most of the study's conv shapes.
    case avx512
    /// OpenBLAS sgemm in column tiles (`Conv3x3.columnTile`): any CPU.
    case openBLAS = "openblas"

    /// The engine a Network uses: AVX-512 when the CPU supports it, unless
    /// BATCHLAB_CONV_KERNELS=openblas asks for the portable path (for comparisons and debugging).
    public static let preferred: ConvEngine = requested == ConvEngine.openBLAS.rawValue || !ConvEngine.avx512.isAvailable
        ? .openBLAS : .avx512

    public static let variable = "BATCHLAB_CONV_KERNELS"

    /// The value of BATCHLAB_CONV_KERNELS, if set (only "openblas" changes anything).
    public static var requested: String? { getenv(variable).map { String(cString: $0) } }

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
