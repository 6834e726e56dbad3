// This process's numeric environment as the pipeline's cache keys see it (`NumericIdentity`): what
// changes the bits of the `.kernels` stages (train, evaluate, the analyses that run the network).
import Pipeline
import Tensor

extension NumericIdentity {
    /// The arithmetic of BatchLab's own conv kernels (`avx512`, `avx2`). Bump it when a change gives
    /// those engines other bits, so that no stored object computed before is served under the new code.
    /// 1 (no component): the first conv layer ran on OpenBLAS; 2: every conv layer on the own kernels.
    public static let ownKernelsVersion = 2

    /// The BLAS library's version and core (the dense layers, the OpenBLAS conv engine), the conv engine,
    /// and for the own engines the version of their arithmetic. Not in it: the thread count (the chunk
    /// partition fixes the arithmetic, docs/training-core.md) and OpenBLAS's own threads (always 1).
    public static var current: NumericIdentity {
        let info = NumericEnvironment.blasInfo()
        var components = ["blas": info.library, "blas_core": info.coreName, "conv_engine": info.convEngine.rawValue]
        // Absent for `openblas`, whose bits did not change: its keys and cached objects stay.
        if info.convEngine.hasOwnKernels { components["conv_version"] = String(ownKernelsVersion) }
        return NumericIdentity(components)
    }
}
