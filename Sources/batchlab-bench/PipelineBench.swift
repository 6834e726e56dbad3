// `batchlab-bench pipeline`: times the real `batchlab` binary on generated toy pipelines of 50 and 500
// stages: the first reproduce, a fully cached reproduce, and status (medians of --repeat). Prints a table.
import ArgumentParser
import Foundation

struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline", abstract: "The batchlab binary's first, cached reproduce and status on 50- and 500-stage toy pipelines.")

    @Option(help: "The batchlab binary (default: the one beside batchlab-bench).")
    var batchlab: String?
    @Option(name: .customLong("repeat"), help: "Runs per median.")
    var repeats = 5

    func validate() throws { try requirePositive(repeats, "--repeat") }

    func run() throws {
        let binary = batchlab ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("batchlab").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            fail("no batchlab binary at \(binary); build it first (swift build -c release)")
        }
        PipelineBench.run(binary: binary, repeats: repeats)
    }
}

enum PipelineBench {
    static func run(binary: String, repeats: Int) {
        /// A layered toy pipeline of exactly `count` stages: a fifth are sources, each other stage sums
        /// its predecessor and one stage a fifth back, so the graph is deep and wide.
        func pipeline(stages count: Int) -> String {
            let sources = max(1, count / 5)
            var lines = ["stages:"]
            for i in 0..<count {
                if i < sources {
                    lines.append("  s\(i): {kind: toy.source, params: {seed: \(i), n: 8}}")
                } else {
                    lines.append("  s\(i): {kind: toy.sum, params: {offset: \(i).0}, inputs: {values: [s\(i - 1).\(i - 1 < sources ? "values" : "total"), s\(i - sources).\(i - sources < sources ? "values" : "total")]}}")
                }
            }
            return lines.joined(separator: "\n") + "\n"
        }

        /// Runs batchlab in `folder`; returns wall seconds, exits on failure.
        func time(_ args: [String], in folder: URL) -> Double {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = args
            process.currentDirectoryURL = folder
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            var env = ProcessInfo.processInfo.environment
            env["BATCHLAB_PROGRESS"] = "plain"
            env["BATCHLAB_TOY_STAGES"] = "1"  // the toy.* kinds it generates pipelines of
            process.environment = env
            let start = DispatchTime.now()
            do { try process.run() } catch {
                FileHandle.standardError.write(Data("batchlab-bench pipeline: cannot start \(binary): \(error)\n".utf8))
                exit(2)
            }
            process.waitUntilExit()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            if process.terminationStatus != 0 {
                FileHandle.standardError.write(Data("batchlab-bench pipeline: batchlab \(args.joined(separator: " ")) failed (\(process.terminationStatus))\n".utf8))
                exit(1)
            }
            return seconds
        }

        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        func ms(_ s: Double) -> String { String(format: "%8.1f ms", s * 1000) }

        print("pipeline engine: the release batchlab binary on generated toy pipelines (wall time, median of \(repeats))")
        print("stages  first reproduce  cached reproduce       status  cached per stage")
        var results: [Int: (Double, Double)] = [:]
        for count in [50, 500] {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-bench-\(count)-\(getpid())")
            try? FileManager.default.removeItem(at: folder)
            try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try! Data(pipeline(stages: count).utf8).write(to: folder.appendingPathComponent("bench.yaml"))
            let first = time(["reproduce", "bench.yaml"], in: folder)
            let cached = median((0..<repeats).map { _ in time(["reproduce", "bench.yaml"], in: folder) })
            let status = median((0..<repeats).map { _ in time(["status", "-p", "bench.yaml"], in: folder) })
            results[count] = (cached, status)
            print(String(format: "%6d", count) + "      " + ms(first) + "       " + ms(cached) + "  " + ms(status)
                  + "       " + ms(cached / Double(count)))
        }
        let (cached50, status50) = results[50]!
        let ok = cached50 <= 0.3 && status50 <= 0.3
        print("target (issue 3): cached reproduce and status of 50 stages ≤ 300 ms each: " + (ok ? "met" : "NOT MET"))
    }
}
