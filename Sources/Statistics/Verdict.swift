// A claim's verdict from an interval: holds when the interval excludes zero in the claimed
// direction, contradicted when it excludes zero the other way, inconclusive otherwise.
public enum Direction: String, Sendable {
    case increasing, decreasing
}

public enum Verdict: Equatable, Sendable, CustomStringConvertible {
    case holds
    case contradicted
    case inconclusive(reason: String)

    public static func decide(_ interval: Interval, claimed: Direction) -> Verdict {
        guard let lower = interval.lower, let upper = interval.upper else {
            return .inconclusive(reason: "no interval (n = \(interval.count))")
        }
        let positive = lower > 0, negative = upper < 0
        switch claimed {
        case .increasing: return positive ? .holds : negative ? .contradicted : .inconclusive(reason: "interval includes 0")
        case .decreasing: return negative ? .holds : positive ? .contradicted : .inconclusive(reason: "interval includes 0")
        }
    }

    public var description: String {
        switch self {
        case .holds: return "holds"
        case .contradicted: return "contradicted"
        case .inconclusive(let reason): return "inconclusive (\(reason))"
        }
    }
}
