// The typed errors of the MPI layer: a failed MPI call, a missing mpirun, ranks that failed.
// Study maps the launch errors to StudyError so the message names the stage.

public enum DistributedError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An MPI call returned an error code (the communicator's handler is MPI_ERRORS_RETURN).
    case mpi(call: String, code: Int32, message: String)
    /// A buffer longer than MPI's Int32 counts allow.
    case countTooLarge(call: String, count: Int)
    /// No `mpirun` on PATH (nor at $BATCHLAB_MPIRUN).
    case mpirunNotFound(searched: String)
    /// mpirun (or the rank executable) could not be started at all.
    case launchFailed(command: String, detail: String)
    /// mpirun exited non-zero: a rank failed or crashed. `rankErrors` are the ranks' own error lines,
    /// `stderr` the tail of everything the ranks and mpirun wrote to stderr.
    case ranksFailed(status: Int32, rankErrors: [String], stderr: String)
    /// The rank program was started with a job it cannot use.
    case badJob(path: String, detail: String)

    public var description: String {
        switch self {
        case let .mpi(call, code, message):
            return "\(call) failed (MPI error \(code)): \(message)"
        case let .countTooLarge(call, count):
            return "\(call): \(count) elements exceed MPI's 32-bit counts; split the buffer"
        case let .mpirunNotFound(searched):
            return "mpirun not found (searched \(searched)).\nHINT: install Open MPI (`apt-get install openmpi-bin "
                + "libopenmpi-dev`, as scripts/install-deps.sh does), or point BATCHLAB_MPIRUN at an mpirun, or set workers: 1."
        case let .launchFailed(command, detail):
            return "could not start `\(command)`: \(detail)"
        case let .ranksFailed(status, rankErrors, stderr):
            var text = "mpirun exited with status \(status)"
            if !rankErrors.isEmpty { text += ":\n" + rankErrors.joined(separator: "\n") }
            if !stderr.isEmpty { text += "\n--- stderr of the ranks and mpirun (last lines) ---\n" + stderr }
            return text
        case let .badJob(path, detail):
            return "rank job \(path) is unusable: \(detail) (it is written by the stage that launches the ranks; "
                + "run the stage again rather than starting ranks by hand)"
        }
    }
}
