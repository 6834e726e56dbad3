// Anti-aliased drawing of strokes and discs on a Float RGB canvas, for the synthetic generator.
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

/// Distance from p to the segment a–b.
func segmentDistance(_ px: Double, _ py: Double, _ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Double {
    let dx = bx - ax, dy = by - ay
    let t = max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / max(dx * dx + dy * dy, 1e-12)))
    let qx = ax + t * dx - px, qy = ay + t * dy - py
    return (qx * qx + qy * qy).squareRoot()
}

/// Distance from p to the outline of a closed polygon given by its vertices.
func polygonOutlineDistance(_ px: Double, _ py: Double, _ xs: [Double], _ ys: [Double]) -> Double {
    var best = Double.infinity
    for i in 0..<xs.count {
        let j = (i + 1) % xs.count
        best = min(best, segmentDistance(px, py, xs[i], ys[i], xs[j], ys[j]))
    }
    return best
}

/// Approximate distance from p to the outline of an ellipse (centre, semi-axes a ≥ b, rotation):
/// the implicit function's value over its gradient norm, exact for circles.
func ellipseOutlineDistance(_ px: Double, _ py: Double, cx: Double, cy: Double, a: Double, b: Double,
                            cosT: Double, sinT: Double) -> Double {
    let dx = px - cx, dy = py - cy
    let u = dx * cosT + dy * sinT, v = -dx * sinT + dy * cosT
    let r = ((u / a) * (u / a) + (v / b) * (v / b)).squareRoot()
    guard r > 1e-9 else { return b }
    let gx = u / (a * a) / r, gy = v / (b * b) / r
    return abs(r - 1) / max((gx * gx + gy * gy).squareRoot(), 1e-9)
}

/// Distance from p to a circular arc (centre, radius, start angle, span in radians).
func arcDistance(_ px: Double, _ py: Double, cx: Double, cy: Double, radius: Double, start: Double, span: Double) -> Double {
    let dx = px - cx, dy = py - cy
    var angle = atan2(dy, dx) - start
    angle = angle - 2 * Double.pi * (angle / (2 * Double.pi)).rounded(.down)
    if angle <= span { return abs((dx * dx + dy * dy).squareRoot() - radius) }
    let ex0 = cx + radius * cos(start), ey0 = cy + radius * sin(start)
    let ex1 = cx + radius * cos(start + span), ey1 = cy + radius * sin(start + span)
    return min(((px - ex0) * (px - ex0) + (py - ey0) * (py - ey0)).squareRoot(),
               ((px - ex1) * (px - ex1) + (py - ey1) * (py - ey1)).squareRoot())
}
