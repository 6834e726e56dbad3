// `batchlab stages [--markdown]`: the stage kinds this CLI knows, one per line, or the full reference
// (docs/stages.md is this command's --markdown output). Hidden: a tool for the docs, not a daily verb.
import ArgumentParser
import Pipeline

struct StagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stages", abstract: "List the stage kinds (--markdown: the reference docs/stages.md).",
        shouldDisplay: false)

    @Flag(help: "Print the full stage reference as Markdown (kinds, parameters, inputs, outputs).")
    var markdown = false

    func run() throws {
        if markdown {
            print(StageReference.markdown(stageRegistry), terminator: "")
        } else {
            for type in stageRegistry.registered { print("\(type.kind)  \(type.summary)") }
        }
    }
}
