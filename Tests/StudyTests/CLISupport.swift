// Runs the real `batchlab` executable in a scratch project folder (the study's CLI tests).
import Foundation
import XCTest

struct CLIOutcome {
    let stdout: String
    let stderr: String
    let code: Int32
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The built executable beside the test bundle (.build/<config>/batchlab).
let batchlabURL: URL = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("batchlab")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    return repositoryRoot.appendingPathComponent(".build/debug/batchlab")
}()

/// A fresh project folder holding a copy of `pipelines/`, deleted afterwards.
final class StudyProject {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("batchlab-study-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("pipelines"),
                                         to: url.appendingPathComponent("pipelines"))
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var artifacts: URL { url.appendingPathComponent("artifacts") }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
    }

    func start(_ arguments: [String], tag: String) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = batchlabURL
        process.arguments = arguments
        process.currentDirectoryURL = url
        var env = ProcessInfo.processInfo.environment
        env["BATCHLAB_PROGRESS"] = "plain"
        process.environment = env
        let out = url.appendingPathComponent("\(tag).out"), err = url.appendingPathComponent("\(tag).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        return (process, err)
    }

    @discardableResult
    func run(_ arguments: String...) throws -> CLIOutcome {
        let tag = "run-\(UUID().uuidString.prefix(8))"
        let (process, err) = try start(arguments, tag: tag)
        process.waitUntilExit()
        let out = url.appendingPathComponent("\(tag).out")
        return CLIOutcome(stdout: try String(contentsOf: out, encoding: .utf8),
                          stderr: try String(contentsOf: err, encoding: .utf8), code: process.terminationStatus)
    }

    /// The first `artifacts/resume/<key>/<fileName>` that exists (a stage's resume file), or nil.
    func resumeFile(named fileName: String) -> URL? {
        let root = artifacts.appendingPathComponent("resume")
        for key in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] {
            let file = root.appendingPathComponent(key).appendingPathComponent(fileName)
            if FileManager.default.fileExists(atPath: file.path) { return file }
        }
        return nil
    }

    /// The object file of `stage`'s output `name`, found through `batchlab show STAGE` (short hash).
    func object(stage: String, output name: String) throws -> URL {
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
