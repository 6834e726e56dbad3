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
                let vectorEnd = wo & ~7
                var ox = 0
                while ox < vectorEnd {
                    pool8(r0 + 2 * ox, r1 + 2 * ox, bias: bias0, pooled: d + ox, argmax: ix + ox)
                    ox &+= 8
                }
                for ox in vectorEnd..<wo {
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

    /// Eight outputs of `forward` at once, with the scalar loop's comparisons in the same order (same
    /// bits, same first-maximum rule); the scalar loop compiled to ~10 cycles per input element.
    /// r0, r1: 16 inputs of the two rows · pooled, argmax: 8 outputs.
    @inline(__always)
    static func pool8(_ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>, bias: Float,
                      pooled: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<UInt8>) {
        let v0 = UnsafeRawPointer(r0).loadUnaligned(as: SIMD16<Float>.self)
        let v1 = UnsafeRawPointer(r1).loadUnaligned(as: SIMD16<Float>.self)
        let a = v0.evenHalf, b = v0.oddHalf, c = v1.evenHalf, e = v1.oddHalf
        let topRight = b .> a, bottomRight = e .> c
        let top = a.replacing(with: b, where: topRight), bottom = c.replacing(with: e, where: bottomRight)
        let jTop = SIMD8<Int32>(repeating: 0).replacing(with: 1, where: topRight)
        let jBottom = SIMD8<Int32>(repeating: 2).replacing(with: 3, where: bottomRight)
        let lower = bottom .> top
        let biased = top.replacing(with: bottom, where: lower) + bias
        // max(x, 0) as in the scalar loop: 0 when 0 >= x, else x.
        let out = biased.replacing(with: 0, where: biased .<= 0)
        let j = jTop.replacing(with: jBottom, where: lower)
        UnsafeMutableRawPointer(pooled).storeBytes(of: out, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(argmax).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: j), as: SIMD8<UInt8>.self)
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
