// The `batchlab` command: a thin shell that parses arguments, calls the library, prints.
// Exit codes: 0 ok, 1 a stage failed (or diff found differences), 2 usage or pipeline-file error.
import ArgumentParser
import Foundation
import Pipeline
import PipelineToys
import Study
import Tensor

@main
struct BatchLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batchlab",
        abstract: "Reproduce the mini-batch-size study: a content-hashed DAG of stages.",
        version: "0.1.0",
        subcommands: [ReproduceCommand.self, RunCommand.self, StatusCommand.self, DagCommand.self, RunsCommand.self,
                      ShowCommand.self, DiffCommand.self, GCCommand.self, VerifyCommand.self, RankCommand.self, StageJobCommand.self,
                      StagesCommand.self]
    )

    /// Maps every error to one message on stderr and the documented exit code.
    static func main() {
        // Before anything else: may re-execute with OPENBLAS_CORETYPE set (see docs/training-core.md).
        NumericEnvironment.ensureFastBLAS()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let error as PipelineError {
            fail("error: \(error)", code: 2)
        } catch let error as ShowError {
            fail("error: \(error)", code: 2)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // Argument-parser usage errors (64, EX_USAGE) are exit code 2 here, like pipeline errors.
            if code == .validationFailure { fail(fullMessage(for: error), code: 2) }
            fail("error: \(error)", code: 1)
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(code)
    }
}

/// The stage kinds the CLI knows: the study's. BATCHLAB_TOY_STAGES=1 adds the engine's self-test kinds
/// (`toy.*`) for the CLI tests and `batchlab-bench pipeline`; a user's pipeline never sees them otherwise.
let stageRegistry: StageRegistry = {
    var registry = StageRegistry()
    StudyStages.register(into: &registry)
    if ProcessInfo.processInfo.environment["BATCHLAB_TOY_STAGES"] == "1" {
        for kind in ToyStages.all { registry.register(kind) }
    }
    return registry
}()

func workspace() -> Workspace { Workspace(registry: stageRegistry, numericEnvironment: .current) }

func waitMessage(_ message: String) {
    FileHandle.standardError.write(Data("waiting: \(message)\n".utf8))
}
