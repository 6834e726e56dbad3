// The embedded default data set: a seeded two-class generator of shapes over cluttered, noisy backgrounds.
//
// Class 0 ("curves"): the outline of a circle or an ellipse. Class 1 ("corners"): the outline of a
// triangle or a square. Each at a random position, scale, rotation, stroke width and colour, over
// a random two-colour gradient with clutter (straight segments, arcs and dots drawn alike for both
// classes) and Gaussian pixel noise. The label is carried only by local geometry (corners vs
// smooth curvature) at an unknown place, which convolution + pooling can find and a linear map of
// raw pixels cannot; clutter, small shapes and noise make the set hard enough that a small CNN
// fits its training images long before it stops improving on held-out ones.
import Dispatch
import Foundation

/// Parameters of the generated set (all of them change its bytes).
public struct ShapesConfig: Sendable, Equatable {
    /// Number of images (classes balanced: ⌈n/2⌉ of class 0, ⌊n/2⌋ of class 1).
    public var count: Int
    /// Side S of the (3, S, S) images; shapes scale with S (designed at 32).
    public var size: Int
    public var seed: UInt64
    /// 0 (easy) … 1 (hard): more clutter, more noise, smaller and lower-contrast shapes.
    public var difficulty: Double

    public init(count: Int = 5000, size: Int = 32, seed: UInt64 = 1, difficulty: Double = 0.5) {
        self.count = count
        self.size = size
        self.seed = seed
        self.difficulty = difficulty
    }

    func validate() throws(DatasetsError) {
        guard count >= 2 && count <= 10_000_000 else {
            throw .invalidParameter(name: "data.count", value: "\(count)", expected: "2...10000000")
        }
        guard size >= 8 && size <= 1024 else {
            throw .invalidParameter(name: "data.size", value: "\(size)", expected: "8...1024")
        }
        guard (0...1).contains(difficulty) else {
            throw .invalidParameter(name: "data.difficulty", value: "\(difficulty)", expected: "a number in [0, 1]")
        }
    }
}

/// A labelled image set held in memory.
public struct LabelledImages: Sendable, Equatable {
    /// (count, 3, size, size) uint8, planar RGB.
    public var pixels: [UInt8]
    /// (count) labels.
    public var labels: [UInt8]
    public let size: Int
    public var count: Int { labels.count }

    public init(pixels: [UInt8], labels: [UInt8], size: Int) {
        precondition(pixels.count == labels.count * 3 * size * size, "LabelledImages: pixels do not match labels and size")
        self.pixels = pixels
        self.labels = labels
        self.size = size
    }

    /// Image i as (3, size, size) bytes.
    public func image(_ i: Int) -> ArraySlice<UInt8> {
        let plane = 3 * size * size
        return pixels[(i * plane)..<((i + 1) * plane)]
    }
}

/// The labels of the generated set: balanced, in a seeded random order.
public func shapesLabels(_ config: ShapesConfig) -> [UInt8] {
    var labels = (0..<config.count).map { UInt8($0 % 2) }
    var random = SeededRandom(seed: config.seed, stream: 0x4C_4142_454C, index: 0)  // "LABEL"
    random.shuffle(&labels)
    return labels
}

/// Generates the whole set on `threads` threads; identical bytes for any thread count.
public func generateShapes(_ config: ShapesConfig, threads: Int = 2) throws(DatasetsError) -> LabelledImages {
    try config.validate()
    let labels = shapesLabels(config)
    let plane = 3 * config.size * config.size
    let out = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: config.count * plane)
    defer { out.deallocate() }
    let target = UnsafeSendable(out)
    let workers = max(1, min(threads, config.count))
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        for i in stride(from: worker, to: config.count, by: workers) {
            renderShape(config, index: i, label: labels[i],
                        into: UnsafeMutableBufferPointer(rebasing: target.value[(i * plane)..<((i + 1) * plane)]))
        }
    }
    return LabelledImages(pixels: Array(out), labels: labels, size: config.size)
}

/// Renders image `index` of class `label`: a pure function of (config, index, label).
/// `out`: (3, S, S) uint8.
public func renderShape(_ config: ShapesConfig, index: Int, label: UInt8, into out: UnsafeMutableBufferPointer<UInt8>) {
    let s = config.size, d = config.difficulty
    precondition(out.count == 3 * s * s, "renderShape: out has \(out.count) bytes for size \(s)")
    var random = SeededRandom(seed: config.seed, stream: 0x53_4841_5045, index: UInt64(index))  // "SHAPE"
    let unit = Double(s) / 32  // all lengths below are in pixels of the 32×32 design
    func lerp(_ a: Double, _ b: Double) -> Double { a + (b - a) * d }
    func colour() -> (Float, Float, Float) { (Float(random.unit()), Float(random.unit()), Float(random.unit())) }

    var canvas = Canvas(size: s)
    // Background: a linear gradient between two random colours along a random direction.
    let c0 = colour(), c1 = colour(), angle = random.uniform(0, 2 * .pi)
    let gx = cos(angle), gy = sin(angle)
    for y in 0..<s {
        for x in 0..<s {
            let t = Float(0.5 + ((Double(x) + 0.5) / Double(s) - 0.5) * gx + ((Double(y) + 0.5) / Double(s) - 0.5) * gy)
            let w = max(0, min(1, t)), i = (y * s + x) * 3
            canvas.rgb[i] = c0.0 + w * (c1.0 - c0.0)
            canvas.rgb[i + 1] = c0.1 + w * (c1.1 - c0.1)
            canvas.rgb[i + 2] = c0.2 + w * (c1.2 - c0.2)
        }
    }
    // Clutter: the same mix for both classes, so it carries no label information.
    let clutter = Int(lerp(3, 9).rounded())
    for _ in 0..<clutter { drawClutter(&canvas, &random, unit: unit, colour: colour()) }

    // The object, with a colour far enough from the background under it to stay visible.
    let radius = random.uniform(lerp(7, 5.5), lerp(12, 10)) * unit
    let cx = random.uniform(radius * 0.7, Double(s) - radius * 0.7)
    let cy = random.uniform(radius * 0.7, Double(s) - radius * 0.7)
    let width = random.uniform(1.4, 2.4) * unit, rotation = random.uniform(0, 2 * .pi)
    let centre = (min(s - 1, Int(cy)) * s + min(s - 1, Int(cx))) * 3
    let under = (canvas.rgb[centre], canvas.rgb[centre + 1], canvas.rgb[centre + 2])
    var ink = colour()
    let minContrast = Float(lerp(0.45, 0.25))
    for _ in 0..<16 where abs(luma(ink) - luma(under)) < minContrast { ink = colour() }
    let half = width / 2
    let box = (cx - radius - width, cy - radius - width, cx + radius + width, cy + radius + width)
    let variant = random.below(2)
    if label == 0 {
        let aspect = variant == 0 ? 1 : random.uniform(0.55, 0.8)
        let cosT = cos(rotation), sinT = sin(rotation)
        canvas.paint(colour: ink, box: box) { px, py in
            ellipseOutlineDistance(px, py, cx: cx, cy: cy, a: radius, b: radius * aspect, cosT: cosT, sinT: sinT) - half
        }
    } else {
        let sides = variant == 0 ? 3 : 4
        let xs = (0..<sides).map { cx + radius * cos(rotation + 2 * .pi * Double($0) / Double(sides)) }
        let ys = (0..<sides).map { cy + radius * sin(rotation + 2 * .pi * Double($0) / Double(sides)) }
        canvas.paint(colour: ink, box: box) { px, py in polygonOutlineDistance(px, py, xs, ys) - half }
    }

    // Pixel noise, then planar bytes.
    let sigma = Float(lerp(0.03, 0.12)), plane = s * s
    for p in 0..<plane {
        for c in 0..<3 {
            let v = canvas.rgb[p * 3 + c] + sigma * Float(random.normal())
            out[c * plane + p] = UInt8(max(0, min(255, (v * 255 + 0.5).rounded(.down))))
        }
    }
}

/// One clutter item: a straight segment, an arc or a dot, with equal odds.
private func drawClutter(_ canvas: inout Canvas, _ random: inout SeededRandom, unit: Double, colour: (Float, Float, Float)) {
    let s = Double(canvas.size)
    let x = random.uniform(0, s), y = random.uniform(0, s)
    let half = random.uniform(0.4, 0.7) * unit
    switch random.below(3) {
    case 0:
        let length = random.uniform(4, 12) * unit, angle = random.uniform(0, 2 * .pi)
        let bx = x + length * cos(angle), by = y + length * sin(angle)
        canvas.paint(colour: colour, box: (min(x, bx), min(y, by), max(x, bx), max(y, by))) { px, py in
            segmentDistance(px, py, x, y, bx, by) - half
        }
    case 1:
        let radius = random.uniform(3, 8) * unit, start = random.uniform(0, 2 * .pi)
        let span = random.uniform(0.5, 1.1) * .pi
        canvas.paint(colour: colour, box: (x - radius, y - radius, x + radius, y + radius)) { px, py in
            arcDistance(px, py, cx: x, cy: y, radius: radius, start: start, span: span) - half
        }
    default:
        let radius = random.uniform(1, 2.5) * unit
        canvas.paint(colour: colour, box: (x - radius, y - radius, x + radius, y + radius)) { px, py in
            ((px - x) * (px - x) + (py - y) * (py - y)).squareRoot() - radius
        }
    }
}

private func luma(_ c: (Float, Float, Float)) -> Float { 0.299 * c.0 + 0.587 * c.1 + 0.114 * c.2 }
