// Slurm's client commands as this executor uses them: sbatch to submit, squeue to poll (no slurmdbd,
// so no sacct), scancel to cancel. Each call runs the command and maps its failure to a SlurmError.
import Foundation

public enum SlurmError: Error, CustomStringConvertible {
    case commandNotFound(String)
    case commandFailed(command: String, status: Int32, stderr: String)
    case unexpectedOutput(command: String, output: String)
    /// The store has no artifacts/ folder for job folders and job ids (an in-memory test store).
    case noJobsFolder

    public var description: String {
        switch self {
        case .commandNotFound(let name):
            "\(name) not found on PATH: --executor slurm needs Slurm's client commands on this machine "
                + "(Debian: apt-get install slurm-client) and a cluster they reach; or run with --executor local"
        case let .commandFailed(command, status, stderr):
            "\(command) failed (status \(status)): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
        case let .unexpectedOutput(command, output): "\(command) printed '\(output)', expected a job id"
        case .noJobsFolder: "the Slurm executor needs an artifacts/ folder on a shared filesystem for its job folders"
        }
    }
}

/// A job's state as squeue prints it (`%T`).
public enum SlurmState: Sendable, Equatable {
    case active(String)  // PENDING, RUNNING, COMPLETING, CONFIGURING, REQUEUED, SUSPENDED…
    case completed
    /// Ended otherwise: FAILED, CANCELLED, NODE_FAIL, TIMEOUT, PREEMPTED, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE.
    case ended(String)
    /// squeue does not know the job (any more): a cancelled pending task, or MinJobAge passed.
    case vanished

    static let lostToTheCluster: Set<String> = ["NODE_FAIL", "TIMEOUT", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL"]

    init(squeue text: String) {
        switch text {
        case "COMPLETED": self = .completed
        case "FAILED", "CANCELLED", "NODE_FAIL", "TIMEOUT", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE":
            self = .ended(text)
        default: self = .active(text)
        }
    }

    var name: String {
        switch self {
        case .active(let s), .ended(let s): s
        case .completed: "COMPLETED"
        case .vanished: "gone from squeue"
        }
    }
}

struct SlurmClient: Sendable {
    /// Checks that sbatch, squeue and scancel are on PATH.
    static func check(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        for name in ["sbatch", "squeue", "scancel"] where locate(name, environment: environment) == nil {
            throw SlurmError.commandNotFound(name)
        }
    }

    static func locate(_ name: String, environment: [String: String]) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `sbatch --parsable ARGS SCRIPT`: the job id ("1234").
    func submit(_ arguments: [String], script: URL) throws -> String {
        let out = try run("sbatch", ["--parsable"] + arguments + [script.path])
        // --parsable prints "id" or "id;cluster".
        let id = String(out.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw SlurmError.unexpectedOutput(command: "sbatch", output: out)
        }
        return id
    }

    /// The states of jobs and array tasks ("1234", "1234_5"), one squeue call; absent ids vanished.
    func states(_ ids: [String]) throws -> [String: SlurmState] {
        guard !ids.isEmpty else { return [:] }
        let bases = Array(Set(ids.map { String($0.split(separator: "_")[0]) })).sorted()
        var seen: [String: SlurmState] = [:]
        do {
            let out = try run("squeue", ["-h", "-t", "all", "-r", "-o", "%i %T", "-j", bases.joined(separator: ",")])
            for line in out.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2 { seen[String(parts[0])] = SlurmState(squeue: String(parts[1])) }
            }
        } catch SlurmError.commandFailed(_, _, let stderr) where stderr.contains("Invalid job id") {
            // Every id is unknown to squeue (it fails instead of printing nothing): all vanished.
            if bases.count > 1 {
                for base in bases { for (id, state) in try states([base]) { seen[id] = state } }
            }
        }
        return Dictionary(uniqueKeysWithValues: ids.map { ($0, seen[$0] ?? .vanished) })
    }

    /// `scancel IDS` (whole jobs or single array tasks).
    func cancel(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        _ = try? run("scancel", ids)
    }

    private func run(_ name: String, _ arguments: [String]) throws -> String {
        let env = ProcessInfo.processInfo.environment
        guard let path = Self.locate(name, environment: env) else { throw SlurmError.commandNotFound(name) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Slurm's commands print a few lines on stderr at most: reading stdout first cannot block.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let command = ([name] + arguments).joined(separator: " ")
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw SlurmError.commandFailed(command: command, status: process.terminationStatus,
                                           stderr: String(decoding: stderr, as: UTF8.self))
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}
