// A typed parameter value in a job file (a stage's own process, an MPI rank). Doubles travel as
// their round-trip text, so the process that runs the body sees exactly the bits the controller saw.

public indirect enum JobValue: Codable, Equatable, Sendable {
    case int(Int), double(String), string(String), bool(Bool), list([JobValue])

    public init(_ value: ParamValue) {
        switch value {
        case .int(let v): self = .int(v)
        case .double(let v): self = .double(String(v))
        case .string(let v): self = .string(v)
        case .bool(let v): self = .bool(v)
        case .list(let vs): self = .list(vs.map(JobValue.init))
        }
    }

    /// The parameter value; nil when a double's text is not a number (a hand-edited job file).
    public var value: ParamValue? {
        switch self {
        case .int(let v): return .int(v)
        case .double(let text): return Double(text).map(ParamValue.double)
        case .string(let v): return .string(v)
        case .bool(let v): return .bool(v)
        case .list(let vs):
            let values = vs.compactMap(\.value)
            return values.count == vs.count ? .list(values) : nil
        }
    }
}
