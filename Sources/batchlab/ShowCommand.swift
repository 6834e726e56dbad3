// `batchlab show RUN | STAGE`: one run, or one stage's latest execution and history.
import ArgumentParser
import Pipeline

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a run (by number) or a stage (latest execution and history).")

    @Argument(help: "A run number or a stage instance/group name.")
    var what: String

    func run() throws {
        print(try workspace().show(what), terminator: "")
    }
}
