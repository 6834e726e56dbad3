// Progress display: on a terminal a live line per running stage (its last reported progress and
// elapsed time) under the finished ones; otherwise one plain line per event.
import Foundation

public enum ProgressEvent: Sendable {
    case started(String)
    case progress(String, String)
    /// A line to keep (a resume, an interruption), never throttled or overwritten.
    case note(String, String)
    case cached(String)
    case finished(String, seconds: Double)
    case failed(String, error: String)
    case skipped(String, because: String)
}

public protocol ProgressReporter: Sendable {
    func report(_ event: ProgressEvent)
    func close()
}

/// Writes text to standard error without buffering surprises.
public func writeStderr(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

/// One line per event; stage progress at most once per second per stage.
public final class PlainProgress: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private let start = Date()
    private var lastProgress: [String: Date] = [:]
    private let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void = writeStderr) { self.write = write }

    public func report(_ event: ProgressEvent) {
        lock.withLock {
            let t = String(format: "[%7.2fs] ", Date().timeIntervalSince(start))
            switch event {
            case .started(let s): write(t + "start   \(s)\n")
            case .cached(let s): write(t + "cached  \(s)\n")
            case let .finished(s, seconds): write(t + "done    \(s) (\(String(format: "%.2f", seconds)) s)\n")
            case let .failed(s, error): write(t + "FAILED  \(s): \(error)\n")
            case let .skipped(s, because): write(t + "skipped \(s) (\(because))\n")
            case let .note(s, message): write(t + "        \(s): \(message)\n")
            case let .progress(s, message):
                let now = Date()
                if let last = lastProgress[s], now.timeIntervalSince(last) < 1 { return }
                lastProgress[s] = now
                write(t + "        \(s): \(message)\n")
            }
        }
    }

    public func close() {}
}

/// Live block of lines, redrawn on each start/end event and every quarter second (progress, elapsed).
public final class LiveProgress: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var running: [(name: String, since: Date, message: String)] = []
    private var drawnLines = 0
    private var timer: DispatchSourceTimer?

    public init() {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
        timer.setEventHandler { [weak self] in self?.redraw(permanent: nil) }
        timer.resume()
        self.timer = timer
    }

    public func report(_ event: ProgressEvent) {
        let line: String? = lock.withLock {
            switch event {
            case .started(let s):
                running.append((s, Date(), ""))
                return ""
            case let .progress(s, message):
                // Stages may report thousands of times a second: the timer redraws, not each report.
                if let i = running.firstIndex(where: { $0.name == s }) { running[i].message = message }
                return nil
            case .cached(let s):
                return "cached  \(s)"
            case let .finished(s, seconds):
                running.removeAll { $0.name == s }
                return "done    \(s) (\(String(format: "%.2f", seconds)) s)"
            case let .failed(s, error):
                running.removeAll { $0.name == s }
                return "FAILED  \(s): \(error)"
            case let .skipped(s, because):
                return "skipped \(s) (\(because))"
            case let .note(s, message):
                return "        \(s): \(message)"
            }
        }
        if let line { redraw(permanent: line.isEmpty ? nil : line) }
    }

    private func redraw(permanent: String?) {
        lock.withLock {
            var text = String(repeating: "\u{1B}[1A\u{1B}[2K", count: drawnLines) + "\r"
            if let permanent { text += permanent + "\n" }
            let now = Date()
            for stage in running {
                let elapsed = String(format: "%6.1fs", now.timeIntervalSince(stage.since))
                text += "\u{1B}[2K  ▸ \(stage.name)  \(stage.message)  \(elapsed)\n"
            }
            drawnLines = running.count
            writeStderr(text)
        }
    }

    public func close() {
        timer?.cancel()
        timer = nil
        redraw(permanent: nil)
    }
}
