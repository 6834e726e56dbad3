// Single-precision matrix products over raw pointers: a thin, row-major face of OpenBLAS's sgemm.
import CBLAS

public enum GEMM {
    /// C(m, n) = alpha · op(A) · op(B) + beta · C, all row-major.
    ///
    /// op(A) is (m, k): A is stored (m, k) with `transA == false`, or (k, m) with `transA == true`;
    /// likewise op(B) is (k, n). `beta == 0` overwrites C, `beta == 1` accumulates into it.
    @inline(__always)
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
