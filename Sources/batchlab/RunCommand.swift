// `batchlab run [PIPELINE] STAGE… [--force] [--downstream]`: run stage instances or groups, stale upstream first.
import ArgumentParser
import Pipeline

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run stage instances (train@bs=256) or groups (train = every train@…), with stale upstream first.")

    @Argument(help: "Stage instances or group names (and the pipeline file, if not given with -p).")
    var stages: [String]

    @Flag(help: "Run the named stages even if cached.")
    var force = false

    @Flag(help: "Also run everything downstream of the named stages.")
    var downstream = false

    @OptionGroup var pipeline: PipelineOption
    @OptionGroup var execution: ExecutionFlags

    func validate() throws {
        if try pipeline.file(among: stages).rest.isEmpty {
            throw ValidationError("name at least one stage (see `batchlab dag`)")
        }
    }

    func run() throws {
        let (file, targets) = try pipeline.file(among: stages)
        var request = ReproduceRequest(pipeline: file)
        request.targets = targets
        request.force = force
        request.downstream = downstream
        request.overrides = pipeline.overrides
        execution.configure(&request)
        request.wait = !execution.noWait
        request.command = "run"
        try execute(request)
    }
}
