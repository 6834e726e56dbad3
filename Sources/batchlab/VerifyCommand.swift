// `batchlab verify [--rerun STAGE]`: rehash every object; or rerun stages and check bit-identity.
import ArgumentParser
import Pipeline

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Rehash every object (corrupted ones are rebuilt by the next reproduce); with --rerun, run a stage "
            + "again in scratch and report whether its outputs are bit-identical to the cached ones.")

    @Option(help: ArgumentHelp("Stage instance or group to rerun (repeatable).", valueName: "stage"))
    var rerun: [String] = []

    @Argument(help: "Pipeline file for --rerun (default: pipelines/study.yaml); the same as -p.")
    var file: String?

    @OptionGroup var pipeline: PipelineOption
    @OptionGroup var execution: ExecutionFlags

    func run() throws {
        let workspace = workspace()
        if rerun.isEmpty {
            let report = try workspace.verify(wait: !execution.noWait, onWait: waitMessage)
            print(report.text, terminator: "")
            if !report.isClean { throw ExitCode(1) }
            return
        }
        let path = try pipeline.file(file)
        let reports = try workspace.rerun(path, targets: rerun, overrides: pipeline.overrides,
                                          options: execution.options, wait: !execution.noWait, onWait: waitMessage)
        for report in reports { print(report.text, terminator: "") }
        if !reports.allSatisfy(\.passes) { throw ExitCode(1) }
    }
}
