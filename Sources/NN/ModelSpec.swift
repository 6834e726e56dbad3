// The study's network as a value: input shape, conv block widths, dense widths, one output logit.

/// A VGG-style network: blocks of (3×3 conv, stride 1, padding 1 → ReLU → 2×2 max-pool), flatten,
/// dense layers with ReLU, then one output unit (a logit; P(dog) = sigmoid(logit)).
public struct ModelSpec: Hashable, Codable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var convWidths: [Int]
    public var denseWidths: [Int]

    public init(channels: Int, height: Int, width: Int, convWidths: [Int], denseWidths: [Int]) {
        self.channels = channels
        self.height = height
        self.width = width
        self.convWidths = convWidths
        self.denseWidths = denseWidths
    }

    /// The study default: 3×32×32, conv [16, 32, 64], dense [128, 64].
    public static let study32 = ModelSpec(channels: 3, height: 32, width: 32, convWidths: [16, 32, 64], denseWidths: [128, 64])
    /// The 64×64 profile: a fourth conv block of 64.
    public static let study64 = ModelSpec(channels: 3, height: 64, width: 64, convWidths: [16, 32, 64, 64], denseWidths: [128, 64])

    public var description: String {
        "\(channels)×\(height)×\(width) conv \(convWidths) dense \(denseWidths)"
    }

    /// Throws when the shape cannot be built (odd sizes before a pool, empty or non-positive widths).
    public func validate() throws {
        guard channels > 0, height > 0, width > 0 else { throw NNError.invalidModel("input \(channels)×\(height)×\(width)") }
        guard !convWidths.isEmpty else { throw NNError.invalidModel("no conv blocks") }
        guard convWidths.allSatisfy({ $0 > 0 }), denseWidths.allSatisfy({ $0 > 0 }) else {
            throw NNError.invalidModel("widths conv \(convWidths) dense \(denseWidths)")
        }
        let factor = 1 << convWidths.count
        guard height % factor == 0, width % factor == 0 else {
            throw NNError.invalidModel("\(height)×\(width) is not divisible by \(factor) for \(convWidths.count) pools")
        }
    }

    /// Elements of one input image.
    public var inputSize: Int { channels * height * width }

    /// The conv blocks with their input shapes.
    public var convBlocks: [ConvBlockShape] {
        var c = channels, h = height, w = width
        var blocks: [ConvBlockShape] = []
        for k in convWidths {
            blocks.append(ConvBlockShape(inChannels: c, outChannels: k, height: h, width: w))
            c = k; h /= 2; w /= 2
        }
        return blocks
    }

    /// Length of the flattened feature vector after the last pool.
    public var flattenedFeatures: Int {
        convWidths.last! * (height >> convWidths.count) * (width >> convWidths.count)
    }

    /// (in, out) of every dense layer including the final one-unit output layer.
    public var denseShapes: [(inputs: Int, outputs: Int)] {
        var shapes: [(Int, Int)] = []
        var n = flattenedFeatures
        for d in denseWidths + [1] {
            shapes.append((n, d))
            n = d
        }
        return shapes
    }

    /// Multiply-adds of one forward pass for one image (conv and dense layers).
    public var forwardMACsPerImage: Int {
        let conv = convBlocks.reduce(0) { $0 + $1.outChannels * $1.inChannels * 9 * $1.height * $1.width }
        return conv + denseShapes.reduce(0) { $0 + $1.inputs * $1.outputs }
    }

    /// FLOPs of one training step per image, by the usual convention (backward ≈ 2 × forward).
    public var trainingFLOPsPerImage: Double { 6 * Double(forwardMACsPerImage) }
    /// FLOPs of one forward pass per image.
    public var forwardFLOPsPerImage: Double { 2 * Double(forwardMACsPerImage) }
}

/// One conv block's geometry: input (inChannels, height, width) → pooled (outChannels, height/2, width/2).
public struct ConvBlockShape: Hashable, Sendable {
    public var inChannels: Int
    public var outChannels: Int
    public var height: Int
    public var width: Int

    public var inputSize: Int { inChannels * height * width }
    public var convSize: Int { outChannels * height * width }
    public var pooledSize: Int { outChannels * (height / 2) * (width / 2) }
    public var colSize: Int { inChannels * 9 * height * width }
}
