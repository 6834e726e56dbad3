// `batchlab-bench`: every benchmark of the project as one program with a subcommand each (`make bench`
// runs datasets, store, pipeline, landscape and core in that order). Each prints a table; bad arguments
// get a message naming the option and exit code 2, as the `batchlab` CLI's usage errors do.
import ArgumentParser
import Foundation
import NN
import Tensor

@main
struct BatchLabBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batchlab-bench",
        abstract: "BatchLab's benchmarks: each subcommand prints a table (docs/performance.md).",
        subcommands: [DatasetsCommand.self, StoreCommand.self, PipelineCommand.self, LandscapeCommand.self,
                      CoreCommand.self, GEMMCommand.self, PeakCommand.self, EnginesCommand.self]
    )

    static func main() {
        // Before anything else: may re-execute with OPENBLAS_CORETYPE set (see docs/training-core.md).
        NumericEnvironment.ensureFastBLAS()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // Argument-parser usage errors (64, EX_USAGE) are exit code 2 here, like the batchlab CLI's.
            if code == .validationFailure { fail(fullMessage(for: error)) }
            FileHandle.standardError.write(Data("batchlab-bench: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}

/// Unbuffered output line by line, so a long run shows progress (and ordering with stderr holds).
func emit(_ line: String) {
    FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!)
}

/// A usage or setup error: the message on stderr, exit code 2.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(("batchlab-bench: " + message + "\n").data(using: .utf8)!)
    exit(2)
}

// MARK: - Argument types

/// A comma-separated list of positive integers (`--threads 1,2`); anything else is a usage error.
struct PositiveInts: ExpressibleByArgument, Sendable {
    var values: [Int]

    init(_ values: [Int]) { self.values = values }

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Int($0) }.filter { $0 > 0 }
        guard !parts.isEmpty, values.count == parts.count else { return nil }
        self.values = values
    }

    var defaultValueDescription: String { values.map(String.init).joined(separator: ",") }
}

/// The study's two models by their image size.
enum BenchModel: String, ExpressibleByArgument, CaseIterable, Sendable {
    case small = "32x32", large = "64x64"

    var spec: ModelSpec { self == .small ? .study32 : .study64 }
}

/// A comma-separated list of models (`--models 32x32,64x64`).
struct BenchModels: ExpressibleByArgument, Sendable {
    var values: [BenchModel]

    init(_ values: [BenchModel]) { self.values = values }

    init?(argument: String) {
        let values = argument.split(separator: ",", omittingEmptySubsequences: false).map { BenchModel(rawValue: String($0)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
        self.values = values.map { $0! }
    }

    var defaultValueDescription: String { values.map(\.rawValue).joined(separator: ",") }
    static var allValueStrings: [String] { BenchModel.allCases.map(\.rawValue) }
}

/// Throws a usage error unless `value` > 0 (seconds, repeats, counts).
func requirePositive<T: Comparable & Numeric>(_ value: T, _ option: String) throws {
    guard value > 0 else { throw ValidationError("\(option) must be positive, not \(value)") }
}
