// Centre-crop to a square, then area-averaging resize to S×S, written as planar (3, S, S) bytes.
//
// Why area averaging: every source pixel contributes to the output pixels it overlaps, in proportion
// to the overlap, so downsizing by non-integer factors neither aliases (as nearest or bilinear
// sampling does at large factors) nor blurs more than a box of the output pixel's footprint. It is
// plain Float arithmetic in a fixed order, so results are bit-identical across runs and thread counts.

/// One output index's footprint on the source axis: source indices and their overlap weights.
struct AreaTaps {
    /// For output i: taps[offsets[i] ..< offsets[i+1]] as (source index, weight), weights sum to 1.
    let offsets: [Int]
    let indices: [Int]
    let weights: [Float]

    /// Footprints of `outCount` equal cells over `inCount` source pixels starting at `start`.
    init(inCount: Int, outCount: Int, start: Int) {
        var offsets = [0], indices: [Int] = [], weights: [Float] = []
        let scale = Double(inCount) / Double(outCount)
        for i in 0..<outCount {
            let lo = Double(i) * scale, hi = Double(i + 1) * scale
            var j = Int(lo.rounded(.down))
            while Double(j) < hi && j < inCount {
                let overlap = min(hi, Double(j + 1)) - max(lo, Double(j))
                if overlap > 1e-12 {
                    indices.append(start + j)
                    weights.append(Float(overlap / scale))
                }
                j += 1
            }
            offsets.append(indices.count)
        }
        self.offsets = offsets
        self.indices = indices
        self.weights = weights
    }
}

/// Centre-crops `image` to its largest square and resizes it to size×size by area averaging.
/// `out`: (3, size, size), planar RGB, rounded to nearest.
public func centreCropResize(_ image: RGBImage, size: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
    precondition(size > 0 && out.count == 3 * size * size, "centreCropResize: out has \(out.count) bytes for size \(size)")
    let side = min(image.width, image.height)
    let x0 = (image.width - side) / 2, y0 = (image.height - side) / 2
    let taps = AreaTaps(inCount: side, outCount: size, start: 0)
    // Horizontal pass first: rows (side, size, 3) in Float, then vertical into the planar output.
    var rows = [Float](repeating: 0, count: side * size * 3)
    image.pixels.withUnsafeBufferPointer { src in
        rows.withUnsafeMutableBufferPointer { tmp in
            for y in 0..<side {
                let srcRow = (y0 + y) * image.width * 3
                for ox in 0..<size {
                    var r: Float = 0, g: Float = 0, b: Float = 0
                    for t in taps.offsets[ox]..<taps.offsets[ox + 1] {
                        let p = srcRow + (x0 + taps.indices[t]) * 3, w = taps.weights[t]
                        r += w * Float(src[p]); g += w * Float(src[p + 1]); b += w * Float(src[p + 2])
                    }
                    let q = (y * size + ox) * 3
                    tmp[q] = r; tmp[q + 1] = g; tmp[q + 2] = b
                }
            }
            let plane = size * size
            for oy in 0..<size {
                for ox in 0..<size {
                    var acc: (Float, Float, Float) = (0, 0, 0)
                    for t in taps.offsets[oy]..<taps.offsets[oy + 1] {
                        let q = (taps.indices[t] * size + ox) * 3, w = taps.weights[t]
                        acc.0 += w * tmp[q]; acc.1 += w * tmp[q + 1]; acc.2 += w * tmp[q + 2]
                    }
                    let o = oy * size + ox
                    out[o] = toByte(acc.0); out[plane + o] = toByte(acc.1); out[2 * plane + o] = toByte(acc.2)
                }
            }
        }
    }
}

/// Same as `centreCropResize(_:size:into:)`, returning a new (3, size, size) array.
public func centreCropResize(_ image: RGBImage, size: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 3 * size * size)
    out.withUnsafeMutableBufferPointer { centreCropResize(image, size: size, into: $0) }
    return out
}

@inline(__always) private func toByte(_ v: Float) -> UInt8 {
    UInt8(max(0, min(255, (v + 0.5).rounded(.down))))
}
