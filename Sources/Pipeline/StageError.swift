// Why a stage failed: the executor records the message in the index, `show` prints it.

/// Why a stage failed (kept in the index and shown by `show`).
public enum StageError: Error, CustomStringConvertible {
    case damagedInput(stage: String, input: String, hash: String)
    case bodyFailed(stage: String, error: String)
    case missingOutput(stage: String, output: String, path: String)
    case storeFailed(stage: String, error: String)
    /// The stage's own process ended without a receipt (a signal, an abort, the OOM killer, a lost job).
    case processDied(stage: String, how: String, stderrTail: String)

    public var message: String {
        switch self {
        case let .damagedInput(_, input, hash):
            "input '\(input)' object \(hash.prefix(12))… does not match its recorded hash (corrupted); "
                + "run `batchlab verify` and reproduce again"
        case let .bodyFailed(_, error): error
        case let .missingOutput(_, output, path):
            "the stage did not write its output '\(output)' (\(path)); the stage kind has a bug"
        case let .storeFailed(_, error): "could not store outputs: \(error)"
        case let .processDied(_, how, tail):
            "its process \(how)" + (tail.isEmpty ? " (its stderr is empty)" : "; its stderr ends with:\n" + tail)
        }
    }

    public var description: String {
        switch self {
        case let .damagedInput(stage, _, _), let .bodyFailed(stage, _), let .missingOutput(stage, _, _),
             let .storeFailed(stage, _), let .processDied(stage, _, _):
            "stage \(stage): \(message)"
        }
    }
}
