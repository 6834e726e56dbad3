// Errors of pipeline files, overrides and targets: each names the place (file:line:column)
// and says how to fix it. All of them are usage errors (exit code 2).

/// A position in a pipeline file, printed as `file:line:column` (1-based).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

public enum PipelineError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case syntax(SourceLocation, String)
    case unknownKey(SourceLocation, key: String, context: String, allowed: [String])
    case wrongType(SourceLocation, what: String, expected: String, found: String)
    case missingValue(SourceLocation, what: String, context: String)
    case unknownKind(SourceLocation, kind: String, known: [String])
    case unknownStage(SourceLocation, reference: String, input: String, stage: String, known: [String])
    case unknownOutput(SourceLocation, reference: String, output: String, producer: String, outputs: [String])
    case inputCardinality(SourceLocation, input: String, stage: String, matched: [String])
    case duplicateName(SourceLocation, name: String, first: SourceLocation?)
    case duplicateKey(SourceLocation, key: String, first: SourceLocation)
    case invalidName(SourceLocation, name: String)
    case cycle(SourceLocation, path: [String])
    case badValue(SourceLocation, what: String, reason: String)
    /// A value of the right type outside the parameter's declared range or choices.
    case notAllowed(SourceLocation, what: String, value: String, allowed: String)
    case badOverride(String, reason: String)
    case unknownTarget(String, known: [String])

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the pipeline file: \(reason)"
        case let .syntax(loc, message):
            return "\(loc): YAML syntax error: \(message)"
        case let .unknownKey(loc, key, context, allowed):
            return "\(loc): unknown key '\(key)' in \(context)" + Suggest.hint(key, allowed)
                + "\n  allowed keys: " + allowed.joined(separator: ", ")
        case let .wrongType(loc, what, expected, found):
            return "\(loc): \(what) must be \(expected), found \(found)"
        case let .missingValue(loc, what, context):
            return "\(loc): \(context) is missing \(what)"
        case let .unknownKind(loc, kind, known):
            return "\(loc): unknown stage kind '\(kind)'" + Suggest.hint(kind, known)
                + "\n  known kinds: " + known.joined(separator: ", ")
        case let .unknownStage(loc, reference, input, stage, known):
            let name = reference.split(separator: ".").first.map(String.init) ?? reference
            return "\(loc): input '\(input)' of stage '\(stage)' refers to unknown stage '\(name)'"
                + Suggest.hint(name, known)
        case let .unknownOutput(loc, _, output, producer, outputs):
            return "\(loc): stage '\(producer)' has no output '\(output)'" + Suggest.hint(output, outputs)
                + "\n  its outputs: " + outputs.joined(separator: ", ")
        case let .inputCardinality(loc, input, stage, matched):
            return "\(loc): input '\(input)' of stage '\(stage)' takes one object but its reference matches "
                + "\(matched.count): \(matched.joined(separator: ", "))"
                + "\n  hint: name one instance (stage@key=value.output), or fan this stage out over the same keys"
        case let .duplicateName(loc, name, first):
            return "\(loc): duplicate stage name '\(name)'" + (first.map { " (first defined at \($0))" } ?? "")
        case let .duplicateKey(loc, key, first):
            return "\(loc): duplicate key '\(key)' (first defined at \(first.line):\(first.column)); keep one"
        case let .invalidName(loc, name):
            return "\(loc): invalid stage name '\(name)': use letters, digits, '_' and '-' only"
        case let .cycle(loc, path):
            return "\(loc): the stages form a cycle: " + path.joined(separator: " → ")
        case let .badValue(loc, what, reason):
            return "\(loc): \(what): \(reason)"
        case let .notAllowed(loc, what, value, allowed):
            return "\(loc): \(what) is \(value), which is not allowed: expected \(allowed)"
        case let .badOverride(text, reason):
            return "--set \(text): \(reason)"
        case let .unknownTarget(name, known):
            return "unknown stage '\(name)'" + Suggest.hint(name, known) + "\n  see `batchlab dag` for all stages"
        }
    }
}

/// Did-you-mean suggestions by edit distance.
enum Suggest {
    static func hint(_ word: String, _ candidates: [String]) -> String {
        guard let best = closest(word, candidates) else { return "" }
        return " (did you mean '\(best)'?)"
    }

    static func closest(_ word: String, _ candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
            .filter { $0.1 <= limit }
        return scored.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1,
                                 previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
