// The fused tail of a conv block: + bias, ReLU, 2×2 max-pool (stride 2), in one pass over the conv
// output while it is still in cache. Only the pooled values and a 2-bit argmax per output are kept.
// max(a + b) = max(a) + b exactly in floating point (rounding is monotone), so pooling before
// adding the bias gives the same bits as the unfused order; likewise ReLU after the max.
// The Swift loops below are the definition and the OpenBLAS engine's path; the own-kernel engines
// run Tensor's ConvTail (the same comparisons and sums in C with AVX-512 or AVX2: the same bits).
import Tensor

public enum BiasReluPool {
    // MARK: - By engine

    /// `forward` (with argmax) or `forwardNoIndices` (argmax nil) on the engine's kernels, or in Swift for OpenBLAS.
    @inline(__always)
    public static func forward(_ conv: UnsafePointer<Float>, bias: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                               pooled: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<UInt8>?, engine: ConvEngine) {
        if engine.hasOwnKernels {
            ConvTail.forward(engine, conv: conv, bias: bias, channels: channels, height: height, width: width, pooled: pooled, argmax: argmax)
        } else if let argmax {
            forward(conv, bias: bias, channels: channels, height: height, width: width, pooled: pooled, argmax: argmax)
        } else {
            forwardNoIndices(conv, bias: bias, channels: channels, height: height, width: width, pooled: pooled)
        }
    }

    /// `backward` on the engine's kernels, or in Swift for OpenBLAS.
    @inline(__always)
    public static func backward(dPooled: UnsafePointer<Float>, pooled: UnsafePointer<Float>, argmax: UnsafePointer<UInt8>,
                                channels: Int, height: Int, width: Int,
                                dConv: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>, engine: ConvEngine) {
        if engine.hasOwnKernels {
            ConvTail.backward(engine, dPooled: dPooled, pooled: pooled, argmax: argmax, channels: channels, height: height, width: width,
                              dConv: dConv, dBias: dBias)
        } else {
            backward(dPooled: dPooled, pooled: pooled, argmax: argmax, channels: channels, height: height, width: width,
                     dConv: dConv, dBias: dBias)
        }
    }

    // MARK: - The definition (Swift)

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
                var ox = 0
                while ox + 8 <= wo {
                    pool8(r0 + 2 * ox, r1 + 2 * ox, bias: bias0, pooled: d + ox, argmax: ix + ox)
                    ox &+= 8
                }
                if ox + 4 <= wo {
                    pool4(r0 + 2 * ox, r1 + 2 * ox, bias: bias0, pooled: d + ox, argmax: ix + ox)
                    ox &+= 4
                }
                for ox in ox..<wo {
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

    /// Four outputs of `forward` (planes 8 wide, the last blocks), the same comparisons as `pool8`.
    @inline(__always)
    static func pool4(_ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>, bias: Float,
                      pooled: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<UInt8>) {
        let v0 = UnsafeRawPointer(r0).loadUnaligned(as: SIMD8<Float>.self)
        let v1 = UnsafeRawPointer(r1).loadUnaligned(as: SIMD8<Float>.self)
        let a = v0.evenHalf, b = v0.oddHalf, c = v1.evenHalf, e = v1.oddHalf
        let topRight = b .> a, bottomRight = e .> c
        let top = a.replacing(with: b, where: topRight), bottom = c.replacing(with: e, where: bottomRight)
        let jTop = SIMD4<Int32>(repeating: 0).replacing(with: 1, where: topRight)
        let jBottom = SIMD4<Int32>(repeating: 2).replacing(with: 3, where: bottomRight)
        let lower = bottom .> top
        let biased = top.replacing(with: bottom, where: lower) + bias
        let out = biased.replacing(with: 0, where: biased .<= 0)
        let j = jTop.replacing(with: jBottom, where: lower)
        UnsafeMutableRawPointer(pooled).storeBytes(of: out, as: SIMD4<Float>.self)
        UnsafeMutableRawPointer(argmax).storeBytes(of: SIMD4<UInt8>(truncatingIfNeeded: j), as: SIMD4<UInt8>.self)
    }

    /// pooled = maxpool2x2(relu(conv + bias)) without argmax, for forward-only evaluation (the
    /// analyses' hot loop). The maximum of four values does not depend on the order of comparison,
    /// so this gives the same bits as `forward`.
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
                var ox = 0
                while ox + 8 <= wo {
                    let v0 = UnsafeRawPointer(r0 + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
                    let v1 = UnsafeRawPointer(r1 + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
                    let m = maximum(v0.evenHalf, v0.oddHalf, v1.evenHalf, v1.oddHalf) + bias0
                    UnsafeMutableRawPointer(d + ox).storeBytes(of: m.replacing(with: 0, where: m .<= 0), as: SIMD8<Float>.self)
                    ox &+= 8
                }
                if ox + 4 <= wo {
                    let v0 = UnsafeRawPointer(r0 + 2 * ox).loadUnaligned(as: SIMD8<Float>.self)
                    let v1 = UnsafeRawPointer(r1 + 2 * ox).loadUnaligned(as: SIMD8<Float>.self)
                    let m = maximum(v0.evenHalf, v0.oddHalf, v1.evenHalf, v1.oddHalf) + bias0
                    UnsafeMutableRawPointer(d + ox).storeBytes(of: m.replacing(with: 0, where: m .<= 0), as: SIMD4<Float>.self)
                    ox &+= 4
                }
                for ox in ox..<wo {
                    let m = max(max(r0[2 * ox], r0[2 * ox + 1]), max(r1[2 * ox], r1[2 * ox + 1]))
                    d[ox] = max(m + bias0, 0)
                }
            }
        }
    }

    /// The 2×2 maximum with `pool8`'s comparisons (top-left, top-right, bottom-left, bottom-right),
    /// on concrete vector types: Swift's `pointwiseMax` and generic SIMD code compile to scalar loops.
    @inline(__always)
    static func maximum(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>, _ e: SIMD8<Float>) -> SIMD8<Float> {
        let top = a.replacing(with: b, where: b .> a), bottom = c.replacing(with: e, where: e .> c)
        return top.replacing(with: bottom, where: bottom .> top)
    }

    @inline(__always)
    static func maximum(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>, _ e: SIMD4<Float>) -> SIMD4<Float> {
        let top = a.replacing(with: b, where: b .> a), bottom = c.replacing(with: e, where: e .> c)
        return top.replacing(with: bottom, where: bottom .> top)
    }

    /// dConv from dPooled; the gradient reaches the argmax position where the pooled value is > 0.
    /// dPooled, pooled, argmax: (K, H/2, W/2) · dConv: (K, H, W), overwritten · dBias: (K), +=.
    /// The bias gradient of a channel is summed in eight lanes (output column mod 8 within each
    /// vector step), the lanes added pairwise, then the row tails in order: a fixed order that
    /// depends only on the plane's shape.
    @inline(__always)
    public static func backward(dPooled: UnsafePointer<Float>, pooled: UnsafePointer<Float>, argmax: UnsafePointer<UInt8>,
                                channels: Int, height: Int, width: Int,
                                dConv: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>) {
        let ho = height / 2, wo = width / 2
        for k in 0..<channels {
            var lanes = SIMD8<Float>(), lanes4 = SIMD4<Float>()
            var tail: Float = 0
            let dst = dConv + k * height * width
            let off = k * ho * wo
            for oy in 0..<ho {
                let r0 = dst + 2 * oy * width, r1 = r0 + width
                let row = off + oy * wo
                var ox = 0
                while ox + 8 <= wo {
                    let p = row + ox
                    let pv = UnsafeRawPointer(pooled + p).loadUnaligned(as: SIMD8<Float>.self)
                    let gv = UnsafeRawPointer(dPooled + p).loadUnaligned(as: SIMD8<Float>.self)
                    let g = SIMD8<Float>().replacing(with: gv, where: pv .> 0)
                    lanes += g
                    let j = SIMD8<Int32>(truncatingIfNeeded: UnsafeRawPointer(argmax + p).loadUnaligned(as: SIMD8<UInt8>.self))
                    // Each output's gradient doubled into the two columns it covers, then kept where the argmax is.
                    let g2 = SIMD16<Float>(lowHalf: SIMD8(g[0], g[0], g[1], g[1], g[2], g[2], g[3], g[3]),
                                           highHalf: SIMD8(g[4], g[4], g[5], g[5], g[6], g[6], g[7], g[7]))
                    let j2 = SIMD16<Int32>(lowHalf: SIMD8(j[0], j[0], j[1], j[1], j[2], j[2], j[3], j[3]),
                                           highHalf: SIMD8(j[4], j[4], j[5], j[5], j[6], j[6], j[7], j[7]))
                    let column = SIMD16<Int32>(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1)
                    let zero = SIMD16<Float>()
                    UnsafeMutableRawPointer(r0 + 2 * ox).storeBytes(of: zero.replacing(with: g2, where: j2 .== column), as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(r1 + 2 * ox).storeBytes(of: zero.replacing(with: g2, where: j2 .== column &+ 2), as: SIMD16<Float>.self)
                    ox &+= 8
                }
                if ox + 4 <= wo {
                    let p = row + ox
                    let pv = UnsafeRawPointer(pooled + p).loadUnaligned(as: SIMD4<Float>.self)
                    let gv = UnsafeRawPointer(dPooled + p).loadUnaligned(as: SIMD4<Float>.self)
                    let g = SIMD4<Float>().replacing(with: gv, where: pv .> 0)
                    lanes4 += g
                    let j = SIMD4<Int32>(truncatingIfNeeded: UnsafeRawPointer(argmax + p).loadUnaligned(as: SIMD4<UInt8>.self))
                    let g2 = SIMD8<Float>(g[0], g[0], g[1], g[1], g[2], g[2], g[3], g[3])
                    let j2 = SIMD8<Int32>(j[0], j[0], j[1], j[1], j[2], j[2], j[3], j[3])
                    let column = SIMD8<Int32>(0, 1, 0, 1, 0, 1, 0, 1)
                    let zero = SIMD8<Float>()
                    UnsafeMutableRawPointer(r0 + 2 * ox).storeBytes(of: zero.replacing(with: g2, where: j2 .== column), as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(r1 + 2 * ox).storeBytes(of: zero.replacing(with: g2, where: j2 .== column &+ 2), as: SIMD8<Float>.self)
                    ox &+= 4
                }
                for ox in ox..<wo {
                    let p = row + ox
                    let g: Float = pooled[p] > 0 ? dPooled[p] : 0
                    tail += g
                    let j = argmax[p]
                    r0[2 * ox] = j == 0 ? g : 0
                    r0[2 * ox + 1] = j == 1 ? g : 0
                    r1[2 * ox] = j == 2 ? g : 0
                    r1[2 * ox + 1] = j == 3 ? g : 0
                }
            }
            let four = lanes.lowHalf + lanes.highHalf + lanes4
            dBias[k] += ((four[0] + four[2]) + (four[1] + four[3])) + tail
        }
    }
}
