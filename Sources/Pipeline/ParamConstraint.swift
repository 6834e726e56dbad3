// What values a declared parameter allows beyond its type: a numeric range or a closed set of
// choices. Checked when the pipeline file loads (and for every --set), so a bad value fails before
// anything runs, with the file, line and column of the value and what is allowed.

/// A numeric interval, either end open, closed or absent. For a list parameter it bounds every element.
public struct ParamRange: Sendable, Hashable, CustomStringConvertible {
    public let lower: Double?, lowerInclusive: Bool
    public let upper: Double?, upperInclusive: Bool

    public static func atLeast(_ x: Double) -> ParamRange { ParamRange(lower: x, lowerInclusive: true, upper: nil, upperInclusive: false) }
    public static func greaterThan(_ x: Double) -> ParamRange { ParamRange(lower: x, lowerInclusive: false, upper: nil, upperInclusive: false) }
    /// lower < x < upper.
    public static func open(_ lower: Double, _ upper: Double) -> ParamRange {
        ParamRange(lower: lower, lowerInclusive: false, upper: upper, upperInclusive: false)
    }
    /// lower ≤ x ≤ upper.
    public static func closed(_ lower: Double, _ upper: Double) -> ParamRange {
        ParamRange(lower: lower, lowerInclusive: true, upper: upper, upperInclusive: true)
    }
    /// lower ≤ x < upper.
    public static func halfOpen(_ lower: Double, _ upper: Double) -> ParamRange {
        ParamRange(lower: lower, lowerInclusive: true, upper: upper, upperInclusive: false)
    }

    public func contains(_ x: Double) -> Bool {
        if let lower, lowerInclusive ? x < lower : x <= lower { return false }
        if let upper, upperInclusive ? x > upper : x >= upper { return false }
        return true
    }

    /// "≥ 1", "> 0", "in (0, 1)", "in [0, 1)".
    public var description: String {
        func n(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        switch (lower, upper) {
        case let (l?, u?): return "in " + (lowerInclusive ? "[" : "(") + "\(n(l)), \(n(u))" + (upperInclusive ? "]" : ")")
        case let (l?, nil): return (lowerInclusive ? "≥ " : "> ") + n(l)
        case let (nil, u?): return (upperInclusive ? "≤ " : "< ") + n(u)
        case (nil, nil): return "any"
        }
    }
}

extension ParamSpec {
    /// What is allowed, for messages and the stage reference: "an integer ≥ 1", "one of: epochs, iterations".
    public var allowed: String {
        if let choices { return "one of: " + choices.joined(separator: ", ") }
        if let range { return "\(type) " + (isList ? "each " : "") + range.description }
        return type.description
    }

    var isList: Bool { if case .list = type { true } else { false } }

    /// The first value (the element's index for a list) outside the range or the choices; nil when allowed.
    public func violation(_ value: ParamValue) -> (index: Int?, value: ParamValue)? {
        if case .list(let items) = value {
            return items.indices.first { !allows(items[$0]) }.map { ($0, items[$0]) }
        }
        return allows(value) ? nil : (nil, value)
    }

    func allows(_ value: ParamValue) -> Bool {
        if let choices, let s = value.stringValue, !choices.contains(s) { return false }
        if let range, let x = value.doubleValue, !range.contains(x) { return false }
        return true
    }
}
