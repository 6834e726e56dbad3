// The `batchlab` command: a thin shell that parses arguments, calls the library, prints.
import ArgumentParser

@main
struct BatchLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batchlab",
        abstract: "Reproduce the mini-batch-size study: a content-hashed DAG of stages.",
        version: "0.1.0"
    )
}
