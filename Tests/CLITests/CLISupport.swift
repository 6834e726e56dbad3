// Runs the real `batchlab` executable in a scratch project folder and captures what it prints.
import Foundation
import XCTest

struct Outcome {
    let stdout: String
    let stderr: String
    let code: Int32
}

/// The built executable beside the test bundle (.build/<config>/batchlab).
let batchlabURL: URL = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("batchlab")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    return repositoryRoot.appendingPathComponent(".build/debug/batchlab")
}()

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A fresh folder per test, deleted afterwards; pipelines are written into it.
final class Project {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("batchlab-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        unlockTree(url.path)
        try? FileManager.default.removeItem(at: url)
    }

    func write(_ name: String, _ text: String) throws {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    var artifacts: URL { url.appendingPathComponent("artifacts") }

    /// Starts batchlab without waiting; output goes to files so the test can poll it.
    func start(_ arguments: [String], tag: String) throws -> (Process, URL, URL) {
        let process = Process()
        process.executableURL = batchlabURL
        process.arguments = arguments
        process.currentDirectoryURL = url
        var env = ProcessInfo.processInfo.environment
        env["BATCHLAB_PROGRESS"] = "plain"
        env["BATCHLAB_TOY_STAGES"] = "1"  // the engine's toy.* kinds these tests drive
        process.environment = env
        let out = url.appendingPathComponent("\(tag).out"), err = url.appendingPathComponent("\(tag).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        return (process, out, err)
    }

    /// Runs batchlab to completion.
    @discardableResult
    func run(_ arguments: String...) throws -> Outcome { try run(arguments) }

    func run(_ arguments: [String]) throws -> Outcome {
        let tag = "run-\(UUID().uuidString.prefix(8))"
        let (process, out, err) = try start(arguments, tag: tag)
        process.waitUntilExit()
        let outcome = Outcome(stdout: try String(contentsOf: out, encoding: .utf8),
                              stderr: try String(contentsOf: err, encoding: .utf8), code: process.terminationStatus)
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
        return outcome
    }

    /// Waits until `file` contains `text` (or fails after `timeout` seconds).
    func waitFor(_ text: String, in file: URL, timeout: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let content = try? String(contentsOf: file, encoding: .utf8), content.contains(text) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTFail("timed out waiting for '\(text)' in \(file.lastPathComponent): "
                + ((try? String(contentsOf: file, encoding: .utf8)) ?? ""))
        throw CocoaError(.fileReadUnknown)
    }

    /// Every object file under artifacts/objects with its name and rehashed content.
    func objects() throws -> [(name: String, sha256: String)] {
        let root = artifacts.appendingPathComponent("objects")
        var result: [(String, String)] = []
        for prefix in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] {
            for name in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(prefix).path) {
                let data = try Data(contentsOf: root.appendingPathComponent(prefix).appendingPathComponent(name))
                result.append((name, sha256Hex(data)))
            }
        }
        return result
    }
}

func sha256Hex(_ data: Data) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try! process.run()
    input.fileHandleForWriting.write(data)
    try! input.fileHandleForWriting.close()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return String(text.prefix(64))
}

/// Removes the immutable attribute a test may have set (root ignores permissions, so tests use chattr).
func unlockTree(_ path: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["chattr", "-R", "-i", path]
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try? process.run()
    process.waitUntilExit()
    _ = chmod(path, 0o755)
}

/// The summary line of a reproduce/run without its timing: "N executed, M cached, K failed".
func summary(_ outcome: Outcome) -> String {
    guard let line = outcome.stdout.split(separator: "\n").first(where: { $0.contains(" executed, ") }) else {
        return "<no summary in: \(outcome.stdout) \(outcome.stderr)>"
    }
    return String(line).replacingOccurrences(of: #" in [0-9.]+ s \(run [0-9]+\)"#, with: "", options: .regularExpression)
}
