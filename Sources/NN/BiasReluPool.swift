// The fused tail of a conv block: + bias, ReLU, 2×2 max-pool (stride 2), in one pass over the conv
// output while it is still in cache. Only the pooled values and a 2-bit argmax per output are kept.
// max(a + b) = max(a) + b exactly in floating point (rounding is monotone), so pooling before
// adding the bias gives the same bits as the unfused order; likewise ReLU after the max.

public enum BiasReluPool {
    /// pooled = maxpool2x2(relu(conv + bias)).
    /// conv: (K, H, W) · bias: (K) · pooled: (K, H/2, W/2), overwritten · argmax: (K, H/2, W/2) ∈ 0…3
    /// (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right; first maximum wins, as in PyTorch).
    @inline(__always)
    public static func forward(_ conv: UnsafePointer<Float>, bias: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                               pooled: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<UInt8>) {
        let ho = height / 2, wo = width / 2
        for k in 0..<channels {
            let bias0 = bias[k]
            let src = conv + k * height * width
            let dst = pooled + k * ho * wo, idx = argmax + k * ho * wo
            for oy in 0..<ho {
                let r0 = src + 2 * oy * width, r1 = r0 + width
                let d = dst + oy * wo, ix = idx + oy * wo
                for ox in 0..<wo {
                    // Branch-free: the first maximum of each row pair, then top unless bottom is larger.
                    let a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], e = r1[2 * ox + 1]
                    let top = b > a ? b : a, jTop: UInt8 = b > a ? 1 : 0
                    let bottom = e > c ? e : c, jBottom: UInt8 = e > c ? 3 : 2
                    let m = bottom > top ? bottom : top
                    d[ox] = max(m + bias0, 0)
                    ix[ox] = bottom > top ? jBottom : jTop
                }
            }
        }
    }

    /// pooled = maxpool2x2(relu(conv + bias)) without argmax, for forward-only evaluation.
    @inline(__always)
    public static func forwardNoIndices(_ conv: UnsafePointer<Float>, bias: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                                        pooled: UnsafeMutablePointer<Float>) {
        let ho = height / 2, wo = width / 2
        for k in 0..<channels {
            let bias0 = bias[k]
            let src = conv + k * height * width
            let dst = pooled + k * ho * wo
            for oy in 0..<ho {
                let r0 = src + 2 * oy * width, r1 = r0 + width
                let d = dst + oy * wo
                for ox in 0..<wo {
                    let m = max(max(r0[2 * ox], r0[2 * ox + 1]), max(r1[2 * ox], r1[2 * ox + 1]))
                    d[ox] = max(m + bias0, 0)
                }
            }
        }
    }

    /// dConv from dPooled; the gradient reaches the argmax position where the pooled value is > 0.
    /// dPooled, pooled, argmax: (K, H/2, W/2) · dConv: (K, H, W), overwritten · dBias: (K), +=.
    @inline(__always)
    public static func backward(dPooled: UnsafePointer<Float>, pooled: UnsafePointer<Float>, argmax: UnsafePointer<UInt8>,
                                channels: Int, height: Int, width: Int,
                                dConv: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>) {
        let ho = height / 2, wo = width / 2
        for k in 0..<channels {
            var db: Float = 0
            let dst = dConv + k * height * width
            let off = k * ho * wo
            for oy in 0..<ho {
                let r0 = dst + 2 * oy * width, r1 = r0 + width
                for ox in 0..<wo {
                    let p = off + oy * wo + ox
                    let g: Float = pooled[p] > 0 ? dPooled[p] : 0
                    db += g
                    let j = argmax[p]
                    r0[2 * ox] = j == 0 ? g : 0
                    r0[2 * ox + 1] = j == 1 ? g : 0
                    r1[2 * ox] = j == 2 ? g : 0
                    r1[2 * ox + 1] = j == 3 ? g : 0
                }
            }
            dBias[k] += db
        }
    }
}
