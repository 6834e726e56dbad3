// im2col / col2im for 3×3 convolutions with stride 1 and zero padding 1 (the study's only kind).
// Both work on whole channel planes as flat arrays: row (c, ky, kx) of the columns is the plane
// shifted by (ky−1)·W + (kx−1), so one long copy (or add) per row replaces H short ones; only the
// padding column and rows need fixing up afterwards.

public enum Im2col {
    /// The part of a column row that maps inside the image: flat indices lo..<hi of the row, the
    /// shift to the source index, and the rows y0..<y1 that are inside.
    @inline(__always)
    static func window(ky: Int, kx: Int, height: Int, width: Int) -> (lo: Int, hi: Int, shift: Int, y0: Int, y1: Int) {
        let y0 = ky == 0 ? 1 : 0, y1 = ky == 2 ? height - 1 : height
        var lo = y0 * width, hi = y1 * width
        if kx == 0 { lo += 1 }   // its source would be one before the plane
        if kx == 2 { hi -= 1 }   // its source would be one past the plane
        return (lo, max(lo, hi), (ky - 1) * width + (kx - 1), y0, y1)
    }

    /// Unfolds one image into columns so that a convolution is one GEMM.
    /// x: (C, H, W) → col: (C·9, H·W), row c·9 + ky·3 + kx holds x[c, y+ky−1, x+kx−1] (0 outside).
    public static func unfold3x3(_ x: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                                 into col: UnsafeMutablePointer<Float>) {
        let hw = height * width
        for c in 0..<channels {
            let src = x + c * hw
            for ky in 0..<3 {
                for kx in 0..<3 {
                    let dst = col + (c * 9 + ky * 3 + kx) * hw
                    let w = window(ky: ky, kx: kx, height: height, width: width)
                    (dst + w.lo).update(from: src + w.lo + w.shift, count: w.hi - w.lo)
                    // Padding: rows outside the image, and the column that wrapped around.
                    if w.y0 > 0 { dst.update(repeating: 0, count: width) }
                    if w.y1 < height { (dst + w.y1 * width).update(repeating: 0, count: width) }
                    if kx == 0 { for y in w.y0..<w.y1 { dst[y * width] = 0 } }
                    if kx == 2 { for y in w.y0..<w.y1 { dst[y * width + width - 1] = 0 } }
                }
            }
        }
    }

    /// The adjoint of `unfold3x3`: folds column gradients back onto the image, OVERWRITING dx.
    /// dCol: (C·9, H·W), also used as scratch (its padding entries are zeroed) → dx: (C, H, W).
    public static func fold3x3(_ dCol: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int,
                               into dx: UnsafeMutablePointer<Float>) {
        let hw = height * width
        dx.update(repeating: 0, count: channels * hw)
        for c in 0..<channels {
            let dst = dx + c * hw
            for ky in 0..<3 {
                for kx in 0..<3 {
                    let src = dCol + (c * 9 + ky * 3 + kx) * hw
                    let w = window(ky: ky, kx: kx, height: height, width: width)
                    // Entries whose source lies in the padding column would land on the neighbouring row.
                    if kx == 0 { for y in w.y0..<w.y1 { src[y * width] = 0 } }
                    if kx == 2 { for y in w.y0..<w.y1 { src[y * width + width - 1] = 0 } }
                    let d = dst + w.shift
                    for i in w.lo..<w.hi { d[i] += src[i] }
                }
            }
        }
    }
}
