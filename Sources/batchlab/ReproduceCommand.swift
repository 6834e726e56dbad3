// `batchlab reproduce [PIPELINE]`: run every stale stage of a pipeline.
import ArgumentParser
import Pipeline

struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Run every stale stage of a pipeline; end with a summary (executed, cached, failed, wall time).")

    @Argument(help: "Pipeline file (default: pipelines/study.yaml).")
    var pipeline: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter for this run.", valueName: "stage.param=value"))
    var overrides: [String] = []

    @OptionGroup var execution: ExecutionFlags

    func run() throws {
        var request = ReproduceRequest(pipeline: pipeline)
        request.overrides = overrides
        request.options = execution.options
        request.wait = !execution.noWait
        try execute(request)
    }
}
