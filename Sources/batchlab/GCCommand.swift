// `batchlab gc [--keep-runs N] [--dry-run] [--all]`: delete objects no kept run references.
import ArgumentParser
import Pipeline

struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Delete objects that none of the last N runs wrote, reused or read; print bytes freed.")

    @Option(help: "Runs whose objects are kept (0 deletes every object and needs --all).") var keepRuns = 10
    @Flag(help: "Print what would be deleted; delete nothing.") var dryRun = false
    @Flag(help: "Allow --keep-runs 0: delete every object (every stage runs again next time).") var all = false
    @OptionGroup var wait: WaitFlag

    func validate() throws {
        if keepRuns < 0 { throw ValidationError("--keep-runs must be ≥ 0") }
        if keepRuns == 0 && !all && !dryRun {
            throw ValidationError("--keep-runs 0 deletes every object; add --all to confirm, "
                                  + "or --dry-run to see what would go")
        }
        if all && keepRuns != 0 { throw ValidationError("--all goes with --keep-runs 0 only") }
    }

    func run() throws {
        print(try workspace().collectGarbage(keepRuns: keepRuns, dryRun: dryRun, wait: !wait.noWait,
                                             onWait: waitMessage), terminator: "")
    }
}
