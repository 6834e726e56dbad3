// A model: its spec and the layout of its flat parameter buffer. A value; the workspaces that run
// it live in `Network`.

public struct Model: Hashable, Sendable {
    public let spec: ModelSpec
    public let layout: ParameterLayout

    /// Throws `NNError.invalidModel` when the spec cannot be built.
    public init(_ spec: ModelSpec) throws {
        try spec.validate()
        self.spec = spec
        self.layout = ParameterLayout(spec: spec)
    }

    public var parameterCount: Int { layout.count }

    /// θ₀ from a seed: Glorot-uniform weights, zero biases.
    public func initialParameters(seed: UInt64) -> [Float] {
        Initialization.glorotUniform(layout: layout, seed: seed)
    }
}
