// The PyTorch side of an interleaved benchmark: scripts/reference/bench_pytorch.py --serve as a child
// process that measures one row per request. The host's load drifts over minutes (and other VMs'
// use of the cores is invisible to /proc/stat), so measuring all PyTorch rows first and all
// BatchLab rows later can tilt a ratio by ±30 %; alternating row by row and round by round makes
// both sides share the same conditions, and the ratio per round is what the table reports.
import Foundation

final class PyTorchServer {
    private(set) var torch = "?"
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private var buffer = Data()

    init(python: String, script: String) throws {
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--serve"]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let hello = try PyTorchServer.decode([String: String].self, from: nextLine())
        torch = hello["torch"] ?? "?"
    }

    /// One repeat of ≥ `seconds` of a row in one layout ("nchw" or "channels_last").
    func measure(model: String, mode: String, threads: Int, batch: Int, layout: String, seconds: Double) throws -> PyTorchResults.Stat {
        input.fileHandleForWriting.write("\(model) \(mode) \(threads) \(batch) \(layout) \(seconds)\n".data(using: .utf8)!)
        return try PyTorchServer.decode(PyTorchResults.Stat.self, from: nextLine())
    }

    func close() {
        input.fileHandleForWriting.write("quit\n".data(using: .utf8)!)
        process.waitUntilExit()
    }

    private func nextLine() throws -> Data {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[(newline + 1)...])
                return Data(line)
            }
            let more = output.fileHandleForReading.availableData
            if more.isEmpty {
                throw BenchError("the PyTorch reference (bench_pytorch.py --serve) exited; run `make bench`, which installs torch into .venv")
            }
            buffer.append(more)
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, from line: Data) throws -> T {
        do { return try JSONDecoder().decode(type, from: line) } catch {
            throw BenchError("unexpected reply from bench_pytorch.py --serve: \(String(decoding: line, as: UTF8.self))")
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
