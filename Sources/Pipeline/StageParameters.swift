// Typed stage parameters: a stage kind declares its parameters as a Swift struct plus a table of
// key-path bindings, and the declared `ParamSpec` list (what the loader checks, what docs/stages.md
// shows, what goes into the cache key) is derived from it. The body receives the struct, never a string.
//
// Why a table of key paths and not property wrappers or Decodable: the table is explicit about the
// order of the declaration (the stage reference's order), needs no reflection (Mirror cannot write a
// property), lets one struct be reused as a group inside another by key-path composition
// (`.group(\.subset)`), and keeps the default beside the field like swift-argument-parser's
// `@Option var count = 31`: the value a field has in `init()` IS its declared default.

/// A stage kind's parameters as one value. `init()` gives every field its default; `bindings` lists
/// the fields in declaration order, each with its parameter name, help, range or choices.
public protocol StageParameters: Sendable {
    init()
    static var bindings: [ParamBinding<Self>] { get }
}

extension StageParameters {
    /// The declared parameters, derived from `bindings` and the defaults of `init()`.
    public static var declaration: [ParamSpec] {
        let defaults = Self()
        return bindings.flatMap { $0.specs(defaults) }
    }

    /// The typed value of a stage instance's parameters. The loader already checked types, ranges and
    /// choices; they are checked again here because a body may be called without it (MPI ranks, tests).
    public init(_ values: [String: ParamValue], stage: String) throws {
        self.init()
        for binding in Self.bindings { try binding.decode(&self, values, stage) }
    }

    /// The parameters as the pipeline file would give them (for a rank's job file or a test).
    public var values: [String: ParamValue] {
        var out: [String: ParamValue] = [:]
        for binding in Self.bindings { binding.encode(self, &out) }
        return out
    }
}

/// A stage kind without parameters.
public struct NoParameters: StageParameters {
    public init() {}
    public static var bindings: [ParamBinding<NoParameters>] { [] }
}

// MARK: - Bindings

/// One entry of a `bindings` table: a field (one parameter) or a group (another `StageParameters`
/// struct nested as a property, contributing all its parameters).
public struct ParamBinding<Root> {
    let specs: (Root) -> [ParamSpec]
    let decode: (inout Root, [String: ParamValue], String) throws -> Void
    let encode: (Root, inout [String: ParamValue]) -> Void

    /// A parameter `name` stored at `keyPath`. Its default is the field's value in `Root()`, unless
    /// `required` (the pipeline file must give it; the value in `init()` is then never used).
    /// Enums (`ParamChoice`) declare their cases as the choices.
    public static func field<Value: ParamCodable>(_ name: String, _ keyPath: WritableKeyPath<Root, Value>, help: String = "",
                                                  range: ParamRange? = nil, required: Bool = false) -> ParamBinding {
        func spec(_ defaults: Root) -> ParamSpec {
            ParamSpec(name, Value.paramType, default: required ? nil : defaults[keyPath: keyPath].paramValue, help: help,
                      range: range, choices: Value.choices)
        }
        return ParamBinding(specs: { [spec($0)] }, decode: { root, values, stage in
            guard let raw = values[name] else {
                if required { throw StageParameterError.missing(stage: stage, name: name) }
                return
            }
            let declared = spec(root)
            if let (_, bad) = declared.violation(raw) {
                throw StageParameterError.invalid(stage: stage, name: name, value: "\(bad)", expected: declared.allowed)
            }
            guard let value = Value(paramValue: raw) else {
                throw StageParameterError.invalid(stage: stage, name: name, value: "\(raw)", expected: Value.paramType.description)
            }
            root[keyPath: keyPath] = value
        }, encode: { root, out in out[name] = root[keyPath: keyPath].paramValue })
    }

    /// An optional parameter `name` stored at `keyPath` (nil: not set). Left out of the pipeline file it
    /// stays nil and out of the instance's values, so adding it to a kind changes no existing cache key;
    /// a given value is checked against `range` like any other.
    public static func optionalField<Value: ParamCodable>(_ name: String, _ keyPath: WritableKeyPath<Root, Value?>,
                                                          help: String = "", range: ParamRange? = nil) -> ParamBinding {
        let spec = ParamSpec(name, Value.paramType, help: help, range: range, choices: Value.choices, optional: true)
        return ParamBinding(specs: { _ in [spec] }, decode: { root, values, stage in
            guard let raw = values[name] else { root[keyPath: keyPath] = nil; return }
            if let (_, bad) = spec.violation(raw) {
                throw StageParameterError.invalid(stage: stage, name: name, value: "\(bad)", expected: spec.allowed)
            }
            guard let value = Value(paramValue: raw) else {
                throw StageParameterError.invalid(stage: stage, name: name, value: "\(raw)", expected: Value.paramType.description)
            }
            root[keyPath: keyPath] = value
        }, encode: { root, out in
            if let value = root[keyPath: keyPath] { out[name] = value.paramValue }
        })
    }

    /// Every parameter of the group stored at `keyPath`, with the group's help and ranges; the
    /// defaults are those of the group's value in `Root()`, so each kind may choose its own.
    public static func group<Group: StageParameters>(_ keyPath: WritableKeyPath<Root, Group>) -> ParamBinding {
        ParamBinding(specs: { root in Group.bindings.flatMap { $0.specs(root[keyPath: keyPath]) } },
                     decode: { root, values, stage in
                         for binding in Group.bindings { try binding.decode(&root[keyPath: keyPath], values, stage) }
                     },
                     encode: { root, out in for binding in Group.bindings { binding.encode(root[keyPath: keyPath], &out) } })
    }
}

/// A parameter that was not given or does not fit its declaration, found when a body decodes its
/// parameters outside the loader (the loader reports these with file, line and column first).
public enum StageParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(stage: String, name: String)
    case invalid(stage: String, name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .missing(stage, name):
            return "\(stage): parameter \(name) has no value and no default.\nHINT: give it in the pipeline file or with "
                + "--set \(Self.group(stage)).\(name)=VALUE."
        case let .invalid(stage, name, value, expected):
            return "\(stage): parameter \(name) = \(value) is invalid: expected \(expected).\nHINT: fix it in the pipeline "
                + "file or with --set \(Self.group(stage)).\(name)=VALUE."
        }
    }

    /// The stage entry an instance name belongs to (`train@batch_size=32` → `train`).
    static func group(_ stage: String) -> String { stage.split(separator: "@").first.map(String.init) ?? stage }
}

// MARK: - Value types

/// A Swift type a stage parameter can have, with the pipeline value type it is written as.
public protocol ParamCodable: Sendable {
    static var paramType: ParamType { get }
    /// The closed set of allowed values (enums); nil for open types.
    static var choices: [String]? { get }
    init?(paramValue: ParamValue)
    var paramValue: ParamValue { get }
}

extension ParamCodable {
    public static var choices: [String]? { nil }
}

extension Int: ParamCodable {
    public static var paramType: ParamType { .int }
    public init?(paramValue: ParamValue) { guard let v = paramValue.intValue else { return nil }; self = v }
    public var paramValue: ParamValue { .int(self) }
}

extension Double: ParamCodable {
    public static var paramType: ParamType { .double }
    /// An integer is a number too (`lr: 1`), as `ParamValue.doubleValue` reads it.
    public init?(paramValue: ParamValue) { guard let v = paramValue.doubleValue else { return nil }; self = v }
    public var paramValue: ParamValue { .double(self) }
}

extension String: ParamCodable {
    public static var paramType: ParamType { .string }
    public init?(paramValue: ParamValue) { guard let v = paramValue.stringValue else { return nil }; self = v }
    public var paramValue: ParamValue { .string(self) }
}

extension Bool: ParamCodable {
    public static var paramType: ParamType { .bool }
    public init?(paramValue: ParamValue) { guard let v = paramValue.boolValue else { return nil }; self = v }
    public var paramValue: ParamValue { .bool(self) }
}

extension Array: ParamCodable where Element: ParamCodable {
    public static var paramType: ParamType { .list(Element.paramType) }
    public static var choices: [String]? { Element.choices }
    public init?(paramValue: ParamValue) {
        guard let items = paramValue.listValue else { return nil }
        var out: [Element] = []
        for item in items {
            guard let v = Element(paramValue: item) else { return nil }
            out.append(v)
        }
        self = out
    }
    public var paramValue: ParamValue { .list(map(\.paramValue)) }
}

/// A closed set written as a string in the pipeline file: a String-backed enum whose cases are the
/// parameter's choices (checked when the file loads). Conform with `extension Unit: ParamChoice {}`.
public protocol ParamChoice: ParamCodable, RawRepresentable, CaseIterable where RawValue == String {}

extension ParamChoice {
    public static var paramType: ParamType { .string }
    public static var choices: [String]? { allCases.map(\.rawValue) }
    public init?(paramValue: ParamValue) {
        guard let s = paramValue.stringValue else { return nil }
        self.init(rawValue: s)
    }
    public var paramValue: ParamValue { .string(rawValue) }
}
