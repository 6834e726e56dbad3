// This process's numeric environment as the pipeline's cache keys see it (`NumericIdentity`): what
// changes the bits of the `.kernels` stages (train, evaluate, the analyses that run the network).
import Pipeline
import Tensor

extension NumericIdentity {
    /// The BLAS library's version and core (the dense layers, the first conv layer, the OpenBLAS conv
    /// engine) and the conv engine. Not in it: the thread count (the chunk partition fixes the
    /// arithmetic, docs/training-core.md) and OpenBLAS's own threads (always 1).
    public static var current: NumericIdentity {
        let info = NumericEnvironment.blasInfo()
        return NumericIdentity(["blas": info.library, "blas_core": info.coreName, "conv_engine": info.convEngine.rawValue])
    }
}
