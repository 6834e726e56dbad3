// The line protocol from the ranks to the stage that launched them: rank 0 writes progress,
// metrics and measurements to stdout (mpirun forwards it), any rank writes its error to stderr.
// Lines start with a marker so that whatever else a library prints is ignored, not misread.
#if canImport(Glibc)
import Glibc
#endif

public enum RankMessage: Sendable, Equatable {
    case progress(String)
    case metric(name: String, value: Double)
    case measure(name: String, value: Double)
    case error(rank: Int, String)

    static let marker = "@@batchlab "

    /// One line (without the newline). Names carry no spaces; doubles use Swift's round-trip form.
    public var line: String {
        switch self {
        case .progress(let text): return Self.marker + "progress " + Self.oneLine(text)
        case let .metric(name, value): return Self.marker + "metric \(Self.token(name)) \(value)"
        case let .measure(name, value): return Self.marker + "measure \(Self.token(name)) \(value)"
        case let .error(rank, text): return Self.marker + "error rank \(rank): " + Self.oneLine(text)
        }
    }

    /// The message on a line, nil for anything else (library chatter, partial lines).
    public init?(line: String) {
        guard line.hasPrefix(Self.marker) else { return nil }
        let body = line.dropFirst(Self.marker.count)
        let parts = body.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let rest = String(parts[1])
        switch parts[0] {
        case "progress":
            self = .progress(rest)
        case "metric", "measure":
            let fields = rest.split(separator: " ")
            guard fields.count == 2, let value = Double(fields[1]) else { return nil }
            self = parts[0] == "metric" ? .metric(name: String(fields[0]), value: value)
                : .measure(name: String(fields[0]), value: value)
        case "error":
            guard rest.hasPrefix("rank "), let colon = rest.firstIndex(of: ":"),
                  let rank = Int(rest[rest.index(rest.startIndex, offsetBy: 5)..<colon]) else { return nil }
            self = .error(rank: rank, String(rest[rest.index(after: colon)...].drop { $0 == " " }))
        default:
            return nil
        }
    }

    /// Written with one write(2) call, so lines of concurrent writers do not interleave mid-line.
    public func writeToStandardOutput() { Self.write(line + "\n", to: 1) }
    public func writeToStandardError() { Self.write(line + "\n", to: 2) }

    private static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }

    private static func oneLine(_ text: String) -> String {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: " | ")
    }

    private static func token(_ name: String) -> String {
        String(name.map { $0 == " " || $0.isNewline ? "_" : $0 })
    }
}
