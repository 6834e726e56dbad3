// A Float RGB canvas with anti-aliased drawing of distance-field shapes, for the synthetic generator.
import Foundation

/// A Float RGB canvas in [0, 1], (H, W, 3) row-major.
struct Canvas {
    let size: Int
    var rgb: [Float]

    init(size: Int) {
        self.size = size
        rgb = [Float](repeating: 0, count: size * size * 3)
    }

    /// Blends `colour` over every pixel with coverage from `distance` (px, ≤ 0 inside), evaluated at
    /// pixel centres inside the bounding box; edges get a one-pixel linear ramp (anti-aliasing).
    mutating func paint(colour: (Float, Float, Float), box: (Double, Double, Double, Double),
                        distance: (Double, Double) -> Double) {
        let x0 = max(0, Int(box.0.rounded(.down)) - 1), x1 = min(size - 1, Int(box.2.rounded(.up)) + 1)
        let y0 = max(0, Int(box.1.rounded(.down)) - 1), y1 = min(size - 1, Int(box.3.rounded(.up)) + 1)
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 {
                let d = distance(Double(x) + 0.5, Double(y) + 0.5)
                let alpha = Float(max(0, min(1, 0.5 - d)))
                if alpha == 0 { continue }
                let i = (y * size + x) * 3
                rgb[i] += alpha * (colour.0 - rgb[i])
                rgb[i + 1] += alpha * (colour.1 - rgb[i + 1])
                rgb[i + 2] += alpha * (colour.2 - rgb[i + 2])
            }
        }
    }
}
