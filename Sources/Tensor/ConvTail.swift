// The own-kernel engines' form of a conv block's tail: + bias, ReLU, 2×2 max-pool with argmax, and
// its backward (module Kernels, pool_avx512.c / pool_avx2.c). NN's BiasReluPool holds the definition
// (the portable Swift loops, which the OpenBLAS engine runs); these give its bits.
import Kernels

public enum ConvTail {
    /// pooled = maxpool2x2(relu(conv + bias)), with argmax unless nil: BiasReluPool.forward's bits (and
    /// forwardNoIndices' without argmax). conv: (K, H, W) · bias: (K) · pooled, argmax: (K, H/2, W/2), overwritten.
    @inline(__always)
    public static func forward(_ engine: ConvEngine, conv: UnsafePointer<Float>, bias: UnsafePointer<Float>, channels: Int,
                               height: Int, width: Int, pooled: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<UInt8>?) {
        switch engine {
        case .avx512: bl_avx512_bias_relu_pool(channels, height, width, conv, bias, pooled, argmax)
        case .avx2: bl_avx2_bias_relu_pool(channels, height, width, conv, bias, pooled, argmax)
        case .openBLAS: preconditionFailure("ConvTail has no OpenBLAS path: use BiasReluPool's Swift loops")
        }
    }

    /// BiasReluPool.backward's bits: dConv (K, H, W) OVERWRITTEN, dBias (K) +=.
    /// dPooled, pooled, argmax: (K, H/2, W/2).
    @inline(__always)
    public static func backward(_ engine: ConvEngine, dPooled: UnsafePointer<Float>, pooled: UnsafePointer<Float>,
                                argmax: UnsafePointer<UInt8>, channels: Int, height: Int, width: Int,
                                dConv: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>) {
        switch engine {
        case .avx512: bl_avx512_bias_relu_pool_backward(channels, height, width, dPooled, pooled, argmax, dConv, dBias)
        case .avx2: bl_avx2_bias_relu_pool_backward(channels, height, width, dPooled, pooled, argmax, dConv, dBias)
        case .openBLAS: preconditionFailure("ConvTail has no OpenBLAS path: use BiasReluPool's Swift loops")
        }
    }
}
