// Where every parameter lives in the one flat buffer: name, offset, shape and kind per slice.

public enum ParameterKind: String, Codable, Sendable, Hashable {
    case convWeight = "conv_weight"
    case denseWeight = "dense_weight"
    case bias
}

/// One named slice of the flat parameter (or gradient, or direction) buffer.
public struct ParameterSlice: Hashable, Codable, Sendable {
    public var name: String
    public var offset: Int
    /// conv weight (K, C, 3, 3) · dense weight (out, in) · bias (K) or (out): PyTorch's conventions.
    public var shape: [Int]
    public var kind: ParameterKind

    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
    /// Number of filters (conv) or neurons (dense): the units filter normalisation scales one by one.
    public var units: Int { shape[0] }
    /// Elements per filter or neuron.
    public var unitSize: Int { count / shape[0] }
}

/// The layout of a model's parameters: conv1.weight, conv1.bias, …, dense1.weight, dense1.bias, …,
/// out.weight, out.bias, contiguous and in that order. Gradients use the same layout.
public struct ParameterLayout: Hashable, Codable, Sendable {
    public private(set) var slices: [ParameterSlice] = []
    public private(set) var count = 0
    /// Parameters of the conv blocks form the prefix 0..<convCount.
    public private(set) var convCount = 0

    public init(spec: ModelSpec) {
        for (i, b) in spec.convBlocks.enumerated() {
            append("conv\(i + 1).weight", [b.outChannels, b.inChannels, 3, 3], .convWeight)
            append("conv\(i + 1).bias", [b.outChannels], .bias)
        }
        convCount = count
        let dense = spec.denseShapes
        for (i, d) in dense.enumerated() {
            let name = i == dense.count - 1 ? "out" : "dense\(i + 1)"
            append("\(name).weight", [d.outputs, d.inputs], .denseWeight)
            append("\(name).bias", [d.outputs], .bias)
        }
    }

    private mutating func append(_ name: String, _ shape: [Int], _ kind: ParameterKind) {
        let slice = ParameterSlice(name: name, offset: count, shape: shape, kind: kind)
        slices.append(slice)
        count += slice.count
    }

    public subscript(name: String) -> ParameterSlice? { slices.first { $0.name == name } }
}
