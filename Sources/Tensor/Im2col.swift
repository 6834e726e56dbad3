// im2col / col2im for 3×3 convolutions with stride 1 and zero padding 1 (the study's only kind).

public enum Im2col {
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
                    for y in 0..<height {
                        let row = dst + y * width
                        let sy = y + ky - 1
                        if sy < 0 || sy >= height {
                            row.update(repeating: 0, count: width)
                            continue
                        }
                        let srow = src + sy * width
                        switch kx {
                        case 0:
                            row[0] = 0
                            (row + 1).update(from: srow, count: width - 1)
                        case 1:
                            row.update(from: srow, count: width)
                        default:
                            row.update(from: srow + 1, count: width - 1)
                            row[width - 1] = 0
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `unfold3x3`: folds column gradients back onto the image, OVERWRITING dx.
    /// dCol: (C·9, H·W) → dx: (C, H, W).
    public static func fold3x3(_ dCol: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                               into dx: UnsafeMutablePointer<Float>) {
        let hw = height * width
        dx.update(repeating: 0, count: channels * hw)
        for c in 0..<channels {
            let dst = dx + c * hw
            for ky in 0..<3 {
                for kx in 0..<3 {
                    let src = dCol + (c * 9 + ky * 3 + kx) * hw
                    for y in 0..<height {
                        let sy = y + ky - 1
                        if sy < 0 || sy >= height { continue }
                        let drow = dst + sy * width
                        let srow = src + y * width
                        switch kx {
                        case 0:
                            for x in 1..<width { drow[x - 1] += srow[x] }
                        case 1:
                            for x in 0..<width { drow[x] += srow[x] }
                        default:
                            for x in 0..<(width - 1) { drow[x + 1] += srow[x] }
                        }
                    }
                }
            }
        }
    }
}
