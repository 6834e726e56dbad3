// Starts N ranks of a program under `mpirun` and relays their line protocol (RankMessage). The
// launching process never initialises MPI itself. Handles what makes Open MPI fail on a single
// machine or in a container: running as root, fewer detected slots than ranks, and the shared-
// memory single-copy mechanism (CMA), which containers block and which made a 1.6 MB all-reduce
// 7× slower here (16 ms vs 2.2 ms), and busy-polling ranks, which on a shared machine made a
// batch-32 epoch 3.4× slower (6.8 s vs 2.0 s with yield_when_idle).
import Foundation

public struct RankLaunch: Sendable {
    public var workers: Int
    /// The program every rank runs, and its arguments.
    public var executable: String
    public var arguments: [String]
    /// Where mpirun's and the ranks' stderr is kept (a file in the stage's scratch folder).
    public var stderrFile: URL
    /// Extra mpirun options (e.g. `--hostfile hosts`), from $BATCHLAB_MPIRUN_ARGS by default.
    public var extraOptions: [String]

    public init(workers: Int, executable: String, arguments: [String], stderrFile: URL,
                extraOptions: [String] = RankLauncher.optionsFromEnvironment()) {
        self.workers = workers
        self.executable = executable
        self.arguments = arguments
        self.stderrFile = stderrFile
        self.extraOptions = extraOptions
    }
}

public enum RankLauncher {
    /// Environment variable naming the mpirun to use (default: `mpirun` on PATH).
    public static let mpirunVariable = "BATCHLAB_MPIRUN"
    /// Environment variable with extra mpirun options, split at spaces (e.g. "--hostfile /shared/hosts").
    public static let optionsVariable = "BATCHLAB_MPIRUN_ARGS"
    /// Environment variable naming the program the ranks run (default: this process's executable).
    public static let executableVariable = "BATCHLAB_RANK_EXECUTABLE"

    public static func optionsFromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        (environment[optionsVariable] ?? "").split(separator: " ").map(String.init)
    }

    /// The mpirun to start: $BATCHLAB_MPIRUN if set, else the first executable `mpirun` on PATH.
    public static func locateMPIRun(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let explicit = environment[mpirunVariable], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw DistributedError.mpirunNotFound(searched: "\(mpirunVariable)=\(explicit)")
            }
            return explicit
        }
        let path = environment["PATH"] ?? ""
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/mpirun"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw DistributedError.mpirunNotFound(searched: "PATH=\(path)")
    }

    /// The program ranks run: $BATCHLAB_RANK_EXECUTABLE, else this process's own executable.
    public static func rankExecutable(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let explicit = environment[executableVariable], !explicit.isEmpty { return explicit }
        do {
            return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        } catch {
            throw DistributedError.launchFailed(command: "/proc/self/exe", detail: "cannot resolve this process's executable: \(error)")
        }
    }

    /// mpirun's arguments. `--bind-to none`: a rank may run several threads, and stages running
    /// side by side would otherwise be pinned to the same cores. `--oversubscribe`: containers often
    /// report fewer slots than cores. `-x`: forward the numeric settings (those set in `environment`:
    /// BLAS threads and core type, the conv engine) to ranks on other machines.
    public static func arguments(_ launch: RankLaunch, environment: [String: String]) -> [String] {
        let forwarded = ["OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "BATCHLAB_CONV_KERNELS"].filter { environment[$0] != nil }
        return ["-n", String(launch.workers), "--oversubscribe", "--bind-to", "none"] + forwarded.flatMap { ["-x", $0] }
            + launch.extraOptions + [launch.executable] + launch.arguments
    }

    /// The environment of mpirun and its ranks: `base` plus Open MPI's run-as-root consent when
    /// `uid` is 0 (so the user never sees its refusal), one BLAS thread per rank (BatchLab
    /// parallelises itself), and, unless the user chose otherwise, CMA single-copy off and waiting
    /// ranks yielding the core (a rank spinning in an all-reduce steals it from its partner or
    /// from other stages; set OMPI_MCA_mpi_yield_when_idle=0 on dedicated nodes).
    public static func environment(base: [String: String], uid: UInt32) -> [String: String] {
        var env = base
        if uid == 0 {
            env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
            env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        }
        env["OPENBLAS_NUM_THREADS"] = "1"
        for (name, value) in [("OMPI_MCA_btl_vader_single_copy_mechanism", "none"), ("OMPI_MCA_mpi_yield_when_idle", "1")]
        where env[name] == nil {
            env[name] = value
        }
        return env
    }

    /// Runs the ranks to completion, calling `onMessage` for every protocol line on their stdout
    /// (as it arrives). Throws `ranksFailed` with the ranks' error lines and stderr tail when mpirun
    /// exits non-zero.
    public static func run(_ launch: RankLaunch, environment base: [String: String] = ProcessInfo.processInfo.environment,
                           onMessage: (RankMessage) -> Void) throws {
        precondition(launch.workers >= 1, "a launch needs at least one rank")
        let mpirun = try locateMPIRun(environment: base)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        let env = environment(base: base, uid: getuid())
        process.arguments = arguments(launch, environment: env)
        process.environment = env
        // mpirun forwards its stdin to rank 0; this process never writes and holds the write end
        // until mpirun exits, so rank 0 reads EOF exactly when the launcher dies (LauncherWatch).
        let stdin = Pipe()
        process.standardInput = stdin
        let stdout = Pipe()
        process.standardOutput = stdout
        FileManager.default.createFile(atPath: launch.stderrFile.path, contents: nil)
        let stderr = try FileHandle(forWritingTo: launch.stderrFile)
        defer { try? stderr.close() }
        process.standardError = stderr
        let command = ([mpirun] + arguments(launch, environment: env)).joined(separator: " ")
        do { try process.run() } catch {
            throw DistributedError.launchFailed(command: command, detail: "\(error)")
        }
        try? stdin.fileHandleForReading.close()
        defer { try? stdin.fileHandleForWriting.close() }
        let reader = stdout.fileHandleForReading
        var pending = Data()
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                if let message = RankMessage(line: line) { onMessage(message) }
            }
        }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: launch.stderrFile, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            // Ranks often fail alike (same bad input): one line per distinct message, with its ranks.
            var byMessage: [(message: String, ranks: [Int])] = []
            for line in lines {
                guard case let .error(rank, message)? = RankMessage(line: line) else { continue }
                if let i = byMessage.firstIndex(where: { $0.message == message }) { byMessage[i].ranks.append(rank) } else {
                    byMessage.append((message, [rank]))
                }
            }
            let rankErrors = byMessage.map { entry in
                let ranks = entry.ranks.sorted().map(String.init).joined(separator: ", ")
                return (entry.ranks.count == 1 ? "rank " : "ranks ") + ranks + ": " + entry.message
            }
            // With the ranks' own messages, mpirun's chatter after MPI_Abort adds nothing; without
            // them (a crash, a signal) the tail of stderr is all there is.
            let tail = rankErrors.isEmpty
                ? lines.filter { RankMessage(line: $0) == nil }.suffix(30).joined(separator: "\n") : ""
            throw DistributedError.ranksFailed(status: process.terminationStatus, rankErrors: rankErrors, stderr: tail)
        }
    }
}
