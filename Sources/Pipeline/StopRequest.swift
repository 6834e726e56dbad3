// A request to stop a run early (Ctrl-C, SIGTERM), shared by the executor, which starts nothing
// new once it is set, and the stage bodies, which check it at their safe points (after a resume
// checkpoint) and end by throwing `StageInterrupted`.
import Foundation

public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var signal: Int32?

    public init() {}

    /// Asks everything to stop; the first signal wins (it decides the exit code).
    public func request(signal number: Int32) {
        lock.withLock { if signal == nil { signal = number } }
    }

    /// The signal that asked to stop, if any.
    public var requestedBy: Int32? { lock.withLock { signal } }

    public var isRequested: Bool { requestedBy != nil }

    /// "SIGINT", "SIGTERM": what the index and the messages call a signal.
    public static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(number)"
        }
    }

    /// Throws `StageInterrupted` if a stop was requested: bodies call it where stopping loses
    /// nothing (right after saving a resume checkpoint).
    public func check(stage: String, kept: String) throws {
        if isRequested { throw StageInterrupted(stage: stage, kept: kept) }
    }
}

/// A body stopped at a safe point because the run is being interrupted; `kept` says what the next
/// run resumes from (e.g. "epoch 12 of 60").
public struct StageInterrupted: Error, CustomStringConvertible {
    public let stage: String
    public let kept: String

    public init(stage: String, kept: String) {
        self.stage = stage
        self.kept = kept
    }

    public var description: String { "stage \(stage): interrupted (resumes from \(kept))" }
}
