// `batchlab dag [--dot | --mermaid]`: print the stage graph.
import ArgumentParser
import Pipeline

struct DagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dag", abstract: "Print the stage graph.")

    @Flag(help: "Output format (default: text).")
    var format: DagFormatFlag = .text

    @OptionGroup var pipeline: PipelineOption

    func run() throws {
        let graph = try workspace().load(pipeline.pipeline, overrides: pipeline.overrides)
        print(DagRenderer.render(graph, as: format.dagFormat), terminator: "")
    }
}

enum DagFormatFlag: String, EnumerableFlag {
    case text, dot, mermaid

    var dagFormat: DagFormat { DagFormat(rawValue: rawValue)! }
}
