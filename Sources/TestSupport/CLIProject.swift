// Runs the real `batchlab` executable in a scratch project folder and captures what it prints: the one
// CLI harness of the CLI tests and the study's CLI tests (swift-argument-parser's AssertExecuteCommand idea).
import Foundation
import Primitives
import XCTest

public struct CLIOutcome: Sendable {
    public let stdout: String
    public let stderr: String
    public let code: Int32
}

/// The checkout this file belongs to (Sources/TestSupport/ is two levels down).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The built executable beside the test bundle (.build/<config>/batchlab).
public let batchlabURL: URL = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("batchlab")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    return repositoryRoot.appendingPathComponent(".build/debug/batchlab")
}()

/// A fresh project folder per test, deleted afterwards; pipelines are written into it.
public final class CLIProject {
    public let url: URL
    /// Environment variables set for every batchlab started (on top of this process's environment).
    public var environment: [String: String] = ["BATCHLAB_PROGRESS": "plain"]

    /// `pipelines`: copy the repository's `pipelines/` in. `toyStages`: let the CLI register the engine's
    /// `toy.*` kinds (BATCHLAB_TOY_STAGES=1), which the engine's CLI tests drive.
    public init(pipelines: Bool = false, toyStages: Bool = false) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("batchlab-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if pipelines {
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("pipelines"),
                                             to: url.appendingPathComponent("pipelines"))
        }
        if toyStages { environment["BATCHLAB_TOY_STAGES"] = "1" }
    }

    deinit {
        unlockTree(url.path)
        try? FileManager.default.removeItem(at: url)
    }

    public var artifacts: URL { url.appendingPathComponent("artifacts") }

    public func write(_ name: String, _ text: String) throws {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    // MARK: - Running batchlab

    /// Starts batchlab without waiting; output goes to files so the test can poll it.
    public func start(_ arguments: [String], tag: String, environment extra: [String: String] = [:]) throws
        -> (process: Process, stdout: URL, stderr: URL) {
        let process = Process()
        process.executableURL = batchlabURL
        process.arguments = arguments
        process.currentDirectoryURL = url
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.merging(extra) { $1 }
        let out = url.appendingPathComponent("\(tag).out"), err = url.appendingPathComponent("\(tag).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        return (process, out, err)
    }

    /// Runs batchlab to completion.
    @discardableResult
    public func run(_ arguments: String...) throws -> CLIOutcome { try run(arguments) }

    public func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> CLIOutcome {
        let tag = "run-\(UUID().uuidString.prefix(8))"
        let (process, out, err) = try start(arguments, tag: tag, environment: extra)
        process.waitUntilExit()
        let outcome = CLIOutcome(stdout: try String(contentsOf: out, encoding: .utf8),
                                 stderr: try String(contentsOf: err, encoding: .utf8), code: process.terminationStatus)
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
        return outcome
    }

    /// Waits until `file` contains `text` (or fails after `timeout` seconds).
    public func waitFor(_ text: String, in file: URL, timeout: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let content = try? String(contentsOf: file, encoding: .utf8), content.contains(text) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTFail("timed out waiting for '\(text)' in \(file.lastPathComponent): "
                + ((try? String(contentsOf: file, encoding: .utf8)) ?? ""))
        throw CocoaError(.fileReadUnknown)
    }

    // MARK: - What it stored

    /// Every object file under artifacts/objects with its name and rehashed content.
    public func objects() throws -> [(name: String, sha256: String)] {
        let root = artifacts.appendingPathComponent("objects")
        var result: [(String, String)] = []
        for prefix in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] {
            for name in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(prefix).path) {
                result.append((name, sha256Hex(try Data(contentsOf: root.appendingPathComponent(prefix).appendingPathComponent(name)))))
            }
        }
        return result
    }

    /// The first `artifacts/resume/<key>/<fileName>` that exists (a stage's resume file), or nil.
    public func resumeFile(named fileName: String) -> URL? {
        let root = artifacts.appendingPathComponent("resume")
        for key in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] {
            let file = root.appendingPathComponent(key).appendingPathComponent(fileName)
            if FileManager.default.fileExists(atPath: file.path) { return file }
        }
        return nil
    }

    /// Pids of the `batchlab stage-job` processes (stage bodies) working in this project's artifacts.
    public func stageProcesses() -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return words.contains("stage-job") && words.contains { $0.hasPrefix(artifacts.path) }
        }.sorted()
    }

    /// The object file of `stage`'s output `name`, found through `batchlab show STAGE` (short hash).
    public func object(stage: String, output name: String) throws -> URL {
        let shown = try run("show", stage)
        for line in shown.stdout.split(separator: "\n") where line.contains("output    \(name) → ") {
            let short = line.components(separatedBy: " → ")[1].prefix { $0.isHexDigit }
            let folder = artifacts.appendingPathComponent("objects/\(short.prefix(2))")
            if let file = try FileManager.default.contentsOfDirectory(atPath: folder.path).first(where: { $0.hasPrefix(short) }) {
                return folder.appendingPathComponent(file)
            }
        }
        XCTFail("no output \(name) in `show \(stage)`: \(shown.stdout)")
        throw CocoaError(.fileNoSuchFile)
    }
}

/// Removes the immutable attribute a test may have set (root ignores permissions, so tests use chattr).
public func unlockTree(_ path: String) {
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
public func summary(_ outcome: CLIOutcome) -> String {
    guard let line = outcome.stdout.split(separator: "\n").first(where: { $0.contains(" executed, ") }) else {
        return "<no summary in: \(outcome.stdout) \(outcome.stderr)>"
    }
    return String(line).replacingOccurrences(of: #" in [0-9.]+ s \(run [0-9]+\)"#, with: "", options: .regularExpression)
}
