// Ctrl-C and SIGTERM during `reproduce`/`run`: the first one asks the run to stop (no new stage
// starts, running bodies stop at their next resume checkpoint, the run is marked interrupted); a
// second one exits at once. A real handler (not SIG_IGN + a dispatch source) is used so that child
// processes (mpirun and its ranks) start with the default dispositions: exec resets handled signals.
import Foundation
import Pipeline

/// The write end of the pipe the handler writes the signal number into (async-signal-safe).
nonisolated(unsafe) private var signalPipe: (read: Int32, write: Int32) = (-1, -1)

enum Interruption {
    /// Installs the handlers for SIGINT and SIGTERM; a watcher thread forwards them to `stop`.
    /// `quietly` (a stage's own process): no messages, and a second signal does not exit — the
    /// controller that sent it escalates to SIGKILL itself when the grace period is over.
    static func watch(_ stop: StopRequest, quietly: Bool = false) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }  // no pipe: the default (immediate) exit stays
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // not inherited by mpirun and its ranks
        signalPipe = (fds[0], fds[1])
        for number in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipe.write, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while read(signalPipe.read, &byte, 1) == 1 {
                let number = Int32(byte)
                if quietly {
                    stop.request(signal: number)
                    continue
                }
                if stop.isRequested {
                    writeStderr("\n\(name(number)) again: exiting now (the next run cleans up)\n")
                    exit(128 + number)
                }
                stop.request(signal: number)
                writeStderr("\n\(name(number)): stopping — no new stage starts; running stages stop at their next "
                            + "checkpoint (press Ctrl-C again to exit at once)\n")
            }
        }
    }

    static func name(_ number: Int32) -> String { StopRequest.name(number) }

    /// The command that continues an interrupted run: this one, as it was typed.
    static var resumeCommand: String {
        (["batchlab"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
    }

    private static func shellQuoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=@,:+".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
