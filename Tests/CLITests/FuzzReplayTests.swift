// The fuzz targets' corpora and past crashers, replayed through the debug batchlab-fuzz (as `make test`
// does after the suite): every input of Fuzz/corpus/T and Fuzz/regressions/T goes through its target,
// which crashes on a wrong answer; a target without inputs fails the replay too.
import Foundation
import TestSupport
import XCTest

final class FuzzReplayTests: XCTestCase {
    let fuzz = batchlabURL.deletingLastPathComponent().appendingPathComponent("batchlab-fuzz")

    func replay(_ folder: URL) throws -> (code: Int32, output: String) {
        let process = Process()
        process.executableURL = fuzz
        process.arguments = ["replay", folder.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    func testEveryCorpusAndRegressionInputReplays() throws {
        let folder = repositoryRoot.appendingPathComponent("Fuzz")
        let r = try replay(folder)
        XCTAssertEqual(r.code, 0, r.output)
        for target in ["pipeline", "import", "store"] {
            let count = try ["corpus", "regressions"].map { kind in
                try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("\(kind)/\(target)").path)
                    .filter { !$0.hasPrefix(".") }.count
            }.reduce(0, +)
            XCTAssertTrue(r.output.contains("replayed \(count) inputs through \(target) in "), r.output)
        }
    }

    func testAReplayWithoutInputsFails() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let r = try replay(empty)
        XCTAssertEqual(r.code, 1, r.output)
        XCTAssertTrue(r.output.contains("no inputs for pipeline"), r.output)
    }
}
