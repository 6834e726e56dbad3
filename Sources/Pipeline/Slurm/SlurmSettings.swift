// How the Slurm executor submits and polls: the batchlab binary the jobs run, how long to wait for
// a finished job's files to become visible (NFS attribute caching), how often to poll, extra sbatch
// options. Filled in by the CLI from its options and environment.
import Foundation
import Store

public struct SlurmSettings: Sendable, Equatable {
    /// The batchlab executable every job runs (`stage-job`); must be at the same path on every node.
    public var executable: String
    /// The folder jobs start in (`--chdir`): the project, on the shared filesystem.
    public var workingDirectory: String
    /// Seconds to wait for a finished job's receipt to appear (NFS attribute caching; Snakemake's
    /// --latency-wait). BATCHLAB_SLURM_LATENCY_WAIT or --latency-wait.
    public var latencyWait: Double = 5
    /// Seconds between two squeue calls. BATCHLAB_SLURM_POLL.
    public var pollInterval: Double = 2
    /// Extra sbatch options for every job (BATCHLAB_SBATCH_ARGS, split at spaces), e.g. `--account=x`.
    public var sbatchArguments: [String] = []

    public init(executable: String, workingDirectory: String) {
        self.executable = executable
        self.workingDirectory = workingDirectory
    }

    /// Settings from the environment over the defaults; checks that Slurm's commands are on PATH.
    public static func fromEnvironment(executable: String, workingDirectory: String,
                                       environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SlurmSettings {
        try SlurmClient.check(environment: environment)
        var settings = SlurmSettings(executable: environment["BATCHLAB_JOB_EXECUTABLE"] ?? executable,
                                     workingDirectory: workingDirectory)
        if let text = environment["BATCHLAB_SLURM_LATENCY_WAIT"], let v = Double(text), v >= 0 { settings.latencyWait = v }
        if let text = environment["BATCHLAB_SLURM_POLL"], let v = Double(text), v > 0 { settings.pollInterval = v }
        settings.sbatchArguments = (environment["BATCHLAB_SBATCH_ARGS"] ?? "").split(separator: " ").map(String.init)
        return settings
    }
}

/// Where the Slurm executor keeps its jobs and which it has in flight: a job folder per cache key
/// under `artifacts/jobs/` (outside tmp/, which a new run cleans), and the index's clusterJob rows.
protocol ClusterJobBook: Sendable {
    var jobsFolder: URL { get }
    func recordJobs(_ jobs: [ClusterJobRecord]) throws
    func job(forKey key: String) throws -> ClusterJobRecord?
    func forgetJob(key: String) throws
}

extension StoreBackend: ClusterJobBook {
    var jobsFolder: URL { artifacts.root.appendingPathComponent("jobs", isDirectory: true) }
    func recordJobs(_ jobs: [ClusterJobRecord]) throws { try artifacts.index.recordClusterJobs(jobs) }
    func job(forKey key: String) throws -> ClusterJobRecord? { try artifacts.index.clusterJob(forKey: key) }
    func forgetJob(key: String) throws { try artifacts.index.removeClusterJob(key: key) }
}
