// `batchlab gc [--keep-runs N]`: delete objects no kept run references.
import ArgumentParser
import Pipeline

struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Delete objects that none of the last N runs wrote, reused or read; print bytes freed.")

    @Option(help: "Runs whose objects are kept.") var keepRuns = 10
    @OptionGroup var wait: WaitFlag

    func validate() throws {
        if keepRuns < 0 { throw ValidationError("--keep-runs must be ≥ 0") }
    }

    func run() throws {
        print(try workspace().collectGarbage(keepRuns: keepRuns, wait: !wait.noWait, onWait: waitMessage), terminator: "")
    }
}
