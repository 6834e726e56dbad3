// Stages that run as N MPI ranks: the launching side (a stage body with `workers: N > 1` writes a
// RankJob and starts mpirun on the batchlab executable's hidden `mpi-rank` command, relaying rank
// 0's progress, metrics and measurements) and the rank side (`StageRanks.rankMain`, the only place
// that initialises MPI).
import Distributed
import Foundation
import Pipeline
import Training

public enum StageRanks {
    /// The hidden batchlab subcommand every rank runs: `batchlab mpi-rank JOB.json`.
    public static let rankCommand = "mpi-rank"

    /// The rank body of each stage kind that can run distributed.
    static let bodies: [String: @Sendable (StageContext, Communicator) throws -> Void] = [
        TrainStage.kind: TrainStage.runRank,
        LandscapeStage.kind: LandscapeStage.runRank,
        TimingStage.kind: TimingStage.runRank,
    ]

    /// Threads per rank: the stage's thread budget shared by its ranks (at least 1), so that
    /// ranks × threads stays within the cores the executor gave the stage whenever it gave ≥ N.
    static func threadsPerRank(budget: Int, workers: Int) -> Int { max(1, budget / workers) }

    /// Runs the stage as `workers` ranks under mpirun and waits for them. Rank 0 writes the
    /// outputs into this stage's scratch folder; a failed rank fails the stage (its outputs are then
    /// discarded by the engine, nothing reaches the store).
    static func launch(_ context: StageContext, kind: any Stage.Type, workers: Int) throws {
        let job = RankJob(context, kind: kind, threadsPerRank: threadsPerRank(budget: context.threads, workers: workers))
        let jobURL = context.scratch.appendingPathComponent(RankJob.fileName)
        try job.write(to: jobURL)
        do {
            let launch = RankLaunch(workers: workers, executable: try RankLauncher.rankExecutable(),
                                    arguments: [rankCommand, jobURL.path],
                                    stderrFile: context.scratch.appendingPathComponent("ranks.stderr.txt"))
            try RankLauncher.run(launch) { message in
                switch message {
                case .progress(let text): context.progress(text)
                case let .metric(name, value): context.metric(name, value)
                case let .measure(name, value): context.measure(name, value)
                case .error: break  // errors arrive on stderr and fail the launch
                }
            }
        } catch let error as DistributedError {
            switch error {
            case .mpirunNotFound:
                throw StudyError.mpiUnavailable(stage: context.instance, workers: workers, detail: "\(error)")
            default:
                throw StudyError.ranksFailed(stage: context.instance, workers: workers, detail: "\(error)")
            }
        }
    }

    /// The rank program: initialise MPI, rebuild the stage context from the job, run the kind's
    /// rank body, and (rank 0) report metrics and measurements to the launching stage. A failing
    /// rank reports its error on stderr and aborts every rank (the others may be inside a collective).
    public static func rankMain(jobPath: String) -> Int32 {
        let communicator: Communicator
        do { communicator = try Communicator.world() } catch {
            RankMessage.error(rank: -1, "cannot initialise MPI: \(error)").writeToStandardError()
            return 1
        }
        if communicator.isRoot { LauncherWatch.start(rank: 0) }
        do {
            let job = try RankJob.read(jobPath)
            // A rank on a host of another CPU kind (or with another BATCHLAB_CONV_KERNELS) would compute
            // other bits than the key of the stage promises: refuse before any arithmetic.
            if let expected = job.numeric, expected != NumericIdentity.current.components {
                throw NumericEnvironmentMismatch(stage: job.instance, expected: NumericIdentity(expected),
                                                 actual: .current, host: ProcessInfo.processInfo.hostName)
            }
            guard let body = bodies[job.kind] else {
                throw DistributedError.badJob(path: jobPath, detail: "stage kind \(job.kind) has no rank program; known: "
                                              + bodies.keys.sorted().joined(separator: ", "))
            }
            let isRoot = communicator.isRoot
            let context = try job.context(onProgress: { text in if isRoot { RankMessage.progress(text).writeToStandardOutput() } })
            try body(context, communicator)
            if isRoot {
                for (name, value) in context.metrics.sorted(by: { $0.key < $1.key }) {
                    RankMessage.metric(name: name, value: value).writeToStandardOutput()
                }
                for (name, value) in context.measurements.sorted(by: { $0.key < $1.key }) {
                    RankMessage.measure(name: name, value: value).writeToStandardOutput()
                }
            }
            try communicator.finalize()
            return 0
        } catch {
            communicator.abort("\(error)")  // stage errors name the stage; job errors name the file
        }
    }
}
