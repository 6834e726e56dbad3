// `batchlab dag [PIPELINE] [--dot | --mermaid]`: print the stage graph.
import ArgumentParser
import Pipeline

struct DagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dag", abstract: "Print the stage graph.")

    @Flag(help: "Output format (default: text).")
    var format: DagFormatFlag = .text

    @Argument(help: "Pipeline file (default: pipelines/study.yaml); the same as -p.")
    var file: String?

    @OptionGroup var pipeline: PipelineOption

    func run() throws {
        let path = try pipeline.file(file)
        let graph = try workspace().load(path, overrides: pipeline.overrides)
        print(DagRenderer.render(graph, as: format.dagFormat), terminator: "")
    }
}

enum DagFormatFlag: String, EnumerableFlag {
    case text, dot, mermaid

    var dagFormat: DagFormat { DagFormat(rawValue: rawValue)! }
}
