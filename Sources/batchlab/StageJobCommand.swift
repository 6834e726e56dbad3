// `batchlab stage-job FOLDER/job.json` (hidden): one stage body in its own process, started by the
// local executor or submitted as a Slurm job; users never call it. See Pipeline's StageJobRunner.
import ArgumentParser
import Foundation
import Pipeline
import Study

struct StageJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: StageJobRunner.command,
        abstract: "Run one stage body from its job file (started by the executor).",
        shouldDisplay: false)

    @Argument(help: "The job file the executor wrote into the job's folder.")
    var job: String

    func run() throws {
        let stop = StopRequest()
        Interruption.watch(stop, quietly: true)
        watchLauncher(stop)
        let status = StageJobRunner.main(jobPath: job, registry: stageRegistry, numericEnvironment: .current, stop: stop)
        if status != 0 { throw ExitCode(status) }
    }

    /// The local executor holds our stdin (a pipe) open and never writes: EOF means it died (even
    /// by kill -9). Then stop like on Ctrl-C, and exit after the grace period if the body does not.
    /// Under Slurm stdin is /dev/null and nothing is watched.
    private func watchLauncher(_ stop: StopRequest) {
        var info = stat()
        guard fstat(0, &info) == 0, info.st_mode & S_IFMT == S_IFIFO else { return }
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if n > 0 || (n < 0 && errno == EINTR) { continue }
                break
            }
            stop.request(signal: SIGHUP)
            Thread.sleep(forTimeInterval: Executor.stopGrace)
            _exit(3)
        }
    }
}
