// `batchlab status`: every stage fresh or stale, and why.
import ArgumentParser
import Pipeline

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every stage as fresh or stale, with the reasons.")

    @Argument(help: "Limit to these stages and their upstream (and the pipeline file, if not given with -p).")
    var stages: [String] = []

    @OptionGroup var pipeline: PipelineOption

    func run() throws {
        let (file, targets) = try pipeline.file(among: stages)
        let statuses = try workspace().status(file, targets: targets, overrides: pipeline.overrides)
        for status in statuses { print(status.line) }
        let stale = statuses.filter { !$0.freshness.isFresh }.count
        print("\(statuses.count - stale) fresh, \(stale) stale")
    }
}
