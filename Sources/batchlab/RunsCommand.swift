// `batchlab runs`: the run history.
import ArgumentParser
import Pipeline

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List runs from the index, newest first.")

    @Option(help: "How many runs to list (0: all).")
    var limit = 20

    func run() throws {
        print(try workspace().runsTable(limit: limit > 0 ? limit : nil), terminator: "")
    }
}
