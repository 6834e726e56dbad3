// `batchlab mpi-rank JOB.json` (hidden): one MPI rank of a stage started with `workers: N`. The
// stage launches it under mpirun; users never call it.
import ArgumentParser
import Foundation
import Study

struct RankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: StageRanks.rankCommand,
        abstract: "Run one MPI rank of a stage (started by the stage itself under mpirun).",
        shouldDisplay: false)

    @Argument(help: "The rank job file the stage wrote into its scratch folder.")
    var job: String

    func run() throws {
        let status = StageRanks.rankMain(jobPath: job)
        if status != 0 { throw ExitCode(status) }
    }
}
