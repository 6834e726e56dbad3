// `batchlab reproduce [PIPELINE | -p PIPELINE]`: run every stale stage of a pipeline.
import ArgumentParser
import Pipeline

struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Run every stale stage of a pipeline; end with a summary (executed, cached, failed, wall time).")

    @Argument(help: "Pipeline file (default: pipelines/study.yaml); the same as -p.")
    var file: String?

    @OptionGroup var pipeline: PipelineOption
    @OptionGroup var execution: ExecutionFlags

    func validate() throws { _ = try pipeline.file(file) }

    func run() throws {
        var request = ReproduceRequest(pipeline: try pipeline.file(file))
        request.overrides = pipeline.overrides
        execution.configure(&request)
        request.wait = !execution.noWait
        try execute(request)
    }
}
