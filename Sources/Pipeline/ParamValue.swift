// Typed stage parameters: the closed set of value types a pipeline file may give a stage.
// Values are parsed from YAML once, at the edge, and carried typed from then on.

/// The declared type of a stage parameter.
public indirect enum ParamType: Sendable, Hashable, CustomStringConvertible {
    case int, double, string, bool
    case list(ParamType)

    public var description: String {
        switch self {
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .bool: "a boolean (true or false)"
        case .list(let element): "a list of \(element.plural)"
        }
    }

    var plural: String {
        switch self {
        case .int: "integers"
        case .double: "numbers"
        case .string: "strings"
        case .bool: "booleans"
        case .list(let element): "lists of \(element.plural)"
        }
    }
}

/// A typed parameter value.
public indirect enum ParamValue: Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    case list([ParamValue])

    /// Human form, also used in instance names (`lr=0.01`) and status reasons.
    public var description: String {
        switch self {
        case .int(let v): String(v)
        case .double(let v): String(v)  // shortest round-trip form: 0.01, 1e-05
        case .string(let v): v
        case .bool(let v): v ? "true" : "false"
        case .list(let vs): "[" + vs.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// Canonical JSON: the form hashed into cache keys. Doubles keep Swift's shortest round-trip
    /// spelling (always with a `.` or an exponent), so 1 and 1.0 never collide.
    public var canonicalJSON: String {
        switch self {
        case .int(let v): String(v)
        case .double(let v): String(v)
        case .string(let v): CanonicalJSON.quote(v)
        case .bool(let v): v ? "true" : "false"
        case .list(let vs): "[" + vs.map(\.canonicalJSON).joined(separator: ",") + "]"
        }
    }

    public var intValue: Int? { if case .int(let v) = self { v } else { nil } }
    public var doubleValue: Double? {
        switch self {
        case .double(let v): v
        case .int(let v): Double(v)
        default: nil
        }
    }
    public var stringValue: String? { if case .string(let v) = self { v } else { nil } }
    public var boolValue: Bool? { if case .bool(let v) = self { v } else { nil } }
    public var listValue: [ParamValue]? { if case .list(let v) = self { v } else { nil } }
}

/// Minimal canonical JSON helpers (sorted keys, no whitespace) for cache keys and descriptors.
public enum CanonicalJSON {
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// An object with keys sorted by their UTF-8 bytes; values are already-encoded JSON.
    public static func object(_ members: [String: String]) -> String {
        let sorted = members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        return "{" + sorted.map { quote($0.key) + ":" + $0.value }.joined(separator: ",") + "}"
    }

    public static func array(_ elements: [String]) -> String { "[" + elements.joined(separator: ",") + "]" }
}
