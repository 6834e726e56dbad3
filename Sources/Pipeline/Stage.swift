// The Stage protocol: what a kind of stage declares (parameters, inputs, outputs, code version)
// and the body the executor calls. Concrete kinds live elsewhere (toy kinds here, the study's in Study).

/// A declared parameter of a stage kind. No default means the pipeline file must give it, unless it
/// is `optional`: then leaving it out means "not set", and an instance without it carries no value for
/// it (so its cache key is the key it had before the parameter existed). `range` (numbers) and
/// `choices` (strings) are checked when the pipeline file loads (ParamConstraint.swift).
public struct ParamSpec: Sendable {
    public let name: String
    public let type: ParamType
    public let defaultValue: ParamValue?
    /// May be left out (no default, not required); see above.
    public let optional: Bool
    public let help: String
    public let range: ParamRange?
    public let choices: [String]?

    public init(_ name: String, _ type: ParamType, default defaultValue: ParamValue? = nil, help: String = "",
                range: ParamRange? = nil, choices: [String]? = nil, optional: Bool = false) {
        precondition(!(optional && defaultValue != nil), "parameter \(name): an optional parameter has no default")
        self.name = name
        self.optional = optional
        self.type = type
        self.defaultValue = defaultValue
        self.help = help
        self.range = range
        self.choices = choices
    }
}

/// A declared named input: one object from another stage's output, or (`many`) a list of them.
/// An `optional` input may be left out of the pipeline file; the body then sees no objects for it
/// (a report that shows what exists and says "not run" for the rest).
public struct InputSpec: Sendable {
    public let name: String
    public let many: Bool
    public let optional: Bool
    public let help: String

    public init(_ name: String, many: Bool = false, optional: Bool = false, help: String = "") {
        self.name = name
        self.many = many
        self.optional = optional
        self.help = help
    }
}

/// How an output is stored; decides the file extension and how `diff` compares it.
public enum OutputFormat: String, Sendable, CaseIterable {
    case hdf5, json, text, csv, tsv, png, svg, html, binary

    public var fileExtension: String {
        switch self {
        case .hdf5: "h5"
        case .json: "json"
        case .text: "txt"
        case .csv: "csv"
        case .tsv: "tsv"
        case .png: "png"
        case .svg: "svg"
        case .html: "html"
        case .binary: "bin"
        }
    }
}

/// A declared named output, written by the body into the scratch folder.
public struct OutputSpec: Sendable {
    public let name: String
    public let format: OutputFormat
    public let help: String

    public init(_ name: String, _ format: OutputFormat, help: String = "") {
        self.name = name
        self.format = format
        self.help = help
    }
}

/// A kind of stage. Its identity for caching is `kind` + `codeVersion`: bump `codeVersion`
/// whenever a change of the body can change its outputs, so that cached results go stale.
public protocol Stage: Sendable {
    /// The parameters as one typed value (StageParameters.swift); `parameters` is derived from it and
    /// the body reads it with `context.parameters(Parameters.self)`.
    associatedtype Parameters: StageParameters = NoParameters

    static var kind: String { get }
    static var codeVersion: Int { get }
    /// The code version in an instance's cache key: `codeVersion` unless the kind changed only one path
    /// of its body, selected by a parameter (train's data-parallel split, `workers` > 1), and the other
    /// paths' cached objects are still what the code computes. Default: `codeVersion`.
    static func codeVersion(for parameters: [String: ParamValue]) -> Int
    static var summary: String { get }
    /// The declared parameters: by default `Parameters.declaration`, the form every check, the stage
    /// reference and the cache key use.
    static var parameters: [ParamSpec] { get }
    static var inputs: [InputSpec] { get }
    static var outputs: [OutputSpec] { get }

    /// Reads inputs and parameters from `context`, writes every declared output to
    /// `context.output(name)`. Must be deterministic given parameters, inputs and threads;
    /// timings go to `context.measure`, never into outputs.
    static func run(_ context: StageContext) throws

    /// Paths outside the object store that the body reads, by name, derived from the parameters (a
    /// folder of photos: `["folder": path]`). The engine puts a fingerprint of their CONTENTS into the
    /// cache key (`ExternalFingerprint`), so changed files make the stage stale. Default: none.
    static func externalInputs(_ parameters: [String: ParamValue]) -> [String: String]

    /// Runs with nothing else running: the executor waits for the running bodies to end, starts
    /// nothing new meanwhile, and gives it every core. For measurements of time. Default: false.
    static var exclusive: Bool { get }

    /// Its outputs are measurements (seconds), the declared exception to "every object is a function
    /// of its cache key": a rerun gives other bits, and `verify --rerun` says so instead of failing.
    /// Default: false.
    static var measuresTime: Bool { get }

    /// Whether its bytes depend on the floating-point kernels of the process (BLAS, the conv engines):
    /// `.kernels` puts the numeric environment into its cache key. Default `.kernels`, the safe side:
    /// a kind that forgets to declare `.portable` only loses sharing across engines, never serves
    /// bits computed under another engine.
    static var numerics: StageNumerics { get }
}

extension Stage {
    public static var parameters: [ParamSpec] { Parameters.declaration }
    public static func codeVersion(for parameters: [String: ParamValue]) -> Int { codeVersion }

    public static func externalInputs(_ parameters: [String: ParamValue]) -> [String: String] { [:] }
    public static var exclusive: Bool { false }
    public static var measuresTime: Bool { false }
    public static var numerics: StageNumerics { .kernels }

    static func parameter(named name: String) -> ParamSpec? { parameters.first { $0.name == name } }
    static func input(named name: String) -> InputSpec? { inputs.first { $0.name == name } }
    static func output(named name: String) -> OutputSpec? { outputs.first { $0.name == name } }
}

/// Outputs a person opens: after every run, the outputs of this kind's instances are copied to
/// `artifacts/<kind>/<pipeline name>/`, and the CLI names the `entry` file there (e.g. `index.html`).
/// `annotate` may then add to the copies what is not content (which run built and published them, on
/// what machine): the stored objects stay a function of their cache key, the published folder does not.
public struct PublishHook: Sendable {
    public let kind: String
    public let entry: String
    public let annotate: (@Sendable (PublishedCopy) throws -> Void)?
}

/// The stage kinds a pipeline file may name, and which of them publish their outputs. The CLI
/// registers the study's kinds (and, for engine tests only, the toy kinds of `PipelineToys`).
public struct StageRegistry: Sendable {
    private var kinds: [String: any Stage.Type] = [:]
    /// The kinds in the order they were registered (a pipeline's order, for the stage reference).
    public private(set) var registered: [any Stage.Type] = []
    public private(set) var publishHooks: [PublishHook] = []

    public init(_ types: [any Stage.Type] = []) {
        for type in types { register(type) }
    }

    public mutating func register(_ type: any Stage.Type) {
        precondition(kinds[type.kind] == nil, "stage kind \(type.kind) registered twice")
        kinds[type.kind] = type
        registered.append(type)
    }

    /// After each run, copy the outputs of `type`'s instances where a person finds them (see `PublishHook`).
    public mutating func publishOutputs(of type: any Stage.Type, entry: String,
                                        annotate: (@Sendable (PublishedCopy) throws -> Void)? = nil) {
        precondition(kinds[type.kind] != nil, "register stage kind \(type.kind) before publishing its outputs")
        publishHooks.append(PublishHook(kind: type.kind, entry: entry, annotate: annotate))
    }

    public func kind(_ name: String) -> (any Stage.Type)? { kinds[name] }
    public var names: [String] { kinds.keys.sorted() }
}
