// The embedded default data set: a seeded two-class generator of striped patches over cluttered,
// noisy backgrounds.
//
// Class 0 ("horizontal"): a patch filled with a sinusoidal grating whose stripes lie within ±spread of
// horizontal; class 1 ("vertical"): the same within ±spread of vertical. The patch (a disc or a square)
// has a random position, size, period, phase and pair of colours; the background is a random
// two-colour gradient with random dots, and every pixel gets Gaussian noise. The class is carried only
// by the orientation of a local texture at an unknown place and phase: oriented 3×3 filters + ReLU +
// pooling see it at once (so plain SGD at lr 0.01 leaves the chance plateau within a few hundred
// updates), while no linear map of raw pixels can (random phases make every pixel's class-conditional
// mean the same). A fraction of labels is flipped on purpose (like mislabelled photos in the real set),
// so that a network that memorises its training set visibly loses on held-out data.
import Foundation

/// Parameters of the generated set (all of them change its bytes).
public struct SyntheticConfig: Sendable, Equatable {
    /// Number of images (content balanced: ⌈n/2⌉ of class 0, ⌊n/2⌋ of class 1).
    public var count: Int
    /// Side S of the (3, S, S) images; lengths scale with S (designed at 32).
    public var size: Int
    public var seed: UInt64
    /// 0 (easy) … 1 (hard): more clutter (5 … 13 dots), more noise (σ 0.06 … 0.14), smaller patches,
    /// lower contrast, a wider orientation spread (±35° … ±45° around each class's axis).
    public var difficulty: Double
    /// Fraction of labels flipped (the same number in each class, so labels stay balanced).
    public var mislabelled: Double

    public init(count: Int = 1000, size: Int = 32, seed: UInt64 = 1, difficulty: Double = 0.5, mislabelled: Double = 0.10) {
        self.count = count
        self.size = size
        self.seed = seed
        self.difficulty = difficulty
        self.mislabelled = mislabelled
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
        guard (0...0.5).contains(mislabelled) else {
            throw .invalidParameter(name: "data.mislabelled", value: "\(mislabelled)", expected: "a fraction in [0, 0.5]")
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

/// What each generated image shows (its true class) and the label it is given.
public struct SyntheticClasses: Sendable, Equatable {
    /// (count) class drawn: balanced, in a seeded random order.
    public let content: [UInt8]
    /// (count) label: `content`, flipped for round(count · mislabelled / 2) images of each class.
    public let labels: [UInt8]
}

/// The classes and labels of the generated set (a pure function of the config).
public func syntheticClasses(_ config: SyntheticConfig) -> SyntheticClasses {
    var content = (0..<config.count).map { UInt8($0 % 2) }
    var random = SeededRandom(seed: config.seed, stream: 0x4C_4142_454C, index: 0)  // "LABEL"
    random.shuffle(&content)
    var labels = content
    let flipsPerClass = Int((Double(config.count) * config.mislabelled / 2).rounded())
    for cls: UInt8 in 0...1 {
        var members = content.indices.filter { content[$0] == cls }
        random.shuffle(&members)
        for i in members.prefix(flipsPerClass) { labels[i] = 1 - cls }
    }
    return SyntheticClasses(content: content, labels: labels)
}

/// Generates the whole set on `threads` threads; identical bytes for any thread count.
public func generateSynthetic(_ config: SyntheticConfig, threads: Int = 2) throws(DatasetsError) -> LabelledImages {
    var chunks = try SyntheticChunks(config, chunkSize: config.count, threads: threads)
    return chunks.next()!
}

/// Renders image `index` showing class `content`: a pure function of (config, index, content).
/// `out`: (3, S, S) uint8.
public func renderSynthetic(_ config: SyntheticConfig, index: Int, content: UInt8, into out: UnsafeMutableBufferPointer<UInt8>) {
    let s = config.size, d = config.difficulty
    precondition(out.count == 3 * s * s, "renderSynthetic: out has \(out.count) bytes for size \(s)")
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
    // Clutter: random dots, the same for both classes, so they carry no label information.
    for _ in 0..<Int(lerp(5, 13).rounded()) {
        let x = random.uniform(0, Double(s)), y = random.uniform(0, Double(s)), r = random.uniform(1, 3) * unit
        canvas.paint(colour: colour(), box: (x - r, y - r, x + r, y + r)) { px, py in
            ((px - x) * (px - x) + (py - y) * (py - y)).squareRoot() - r
        }
    }

    // The textured patch: position, size, orientation, period, phases, outline and colours at random.
    let radius = random.uniform(lerp(10, 8), lerp(15, 13)) * unit
    let cx = random.uniform(radius * 0.8, Double(s) - radius * 0.8)
    let cy = random.uniform(radius * 0.8, Double(s) - radius * 0.8)
    // Stripes across the u axis: theta near 0 gives vertical stripes (class 1), near π/2 horizontal (class 0).
    let spread = lerp(35, 45) * .pi / 180
    let theta = random.uniform(-spread, spread) + (content == 1 ? 0 : .pi / 2), period = random.uniform(4, 8) * unit
    let phase = random.uniform(0, 2 * .pi)
    let square = random.below(2) == 1
    let ink0 = colour()
    var ink1 = colour()
    let minContrast = Float(lerp(0.4, 0.2))
    for _ in 0..<64 where abs(luma(ink0) - luma(ink1)) < minContrast { ink1 = colour() }
    let cosT = cos(theta), sinT = sin(theta), k = 2 * Double.pi / period
    let x0 = max(0, Int(cx - radius) - 1), x1 = min(s - 1, Int(cx + radius) + 1)
    let y0 = max(0, Int(cy - radius) - 1), y1 = min(s - 1, Int(cy + radius) + 1)
    for y in y0...y1 {
        for x in x0...x1 {
            let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
            let u = dx * cosT + dy * sinT, v = -dx * sinT + dy * cosT
            // A square outline turns with the stripes, but turned by θ or θ + 90° it is the same shape: no class cue.
            let edge = square ? max(abs(u), abs(v)) : (dx * dx + dy * dy).squareRoot()
            let alpha = Float(max(0, min(1, radius + 0.5 - edge)))
            if alpha == 0 { continue }
            let t = Float(max(-1, min(1, 2 * sin(k * u + phase))) * 0.5 + 0.5)
            let i = (y * s + x) * 3
            let tex = (ink0.0 + t * (ink1.0 - ink0.0), ink0.1 + t * (ink1.1 - ink0.1), ink0.2 + t * (ink1.2 - ink0.2))
            canvas.rgb[i] += alpha * (tex.0 - canvas.rgb[i])
            canvas.rgb[i + 1] += alpha * (tex.1 - canvas.rgb[i + 1])
            canvas.rgb[i + 2] += alpha * (tex.2 - canvas.rgb[i + 2])
        }
    }

    // Pixel noise, then planar bytes.
    let sigma = Float(lerp(0.06, 0.14)), plane = s * s
    for p in 0..<plane {
        for c in 0..<3 {
            let v = canvas.rgb[p * 3 + c] + sigma * Float(random.normal())
            out[c * plane + p] = UInt8(max(0, min(255, (v * 255 + 0.5).rounded(.down))))
        }
    }
}

private func luma(_ c: (Float, Float, Float)) -> Float { 0.299 * c.0 + 0.587 * c.1 + 0.114 * c.2 }
