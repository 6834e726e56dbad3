// kill -9 in the middle of writing objects and recording completions: no partial object is visible,
// the index is consistent, and every recorded output is intact. The writer is this test binary
// itself, started as a child with an environment variable that turns the helper test on.
import Foundation
import GRDB
@testable import Store
import XCTest

final class CrashSafetyTests: XCTestCase {
    static let childRootVariable = "BATCHLAB_STORE_CRASH_CHILD_ROOT"

    /// In the child: write objects of a few MiB and record each as a completion, forever (until killed).
    /// In a normal test run the variable is unset and this returns at once.
    func testChildWritesUntilKilled() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.childRootVariable] else { return }
        let artifacts = try Artifacts(root: URL(fileURLWithPath: path))
        let lock = try ArtifactsLock.acquire(root: artifacts.root, wait: false)
        defer { lock.release() }
        let run = try artifacts.index.beginRun(RunRecord(startedAt: Date(), pipelineFile: "p", pipelineHash: "h",
                                                         host: "h", cpuModel: "c", threads: 1, toolVersion: "t")).id!
        var generator = SystemRandomNumberGenerator()
        for i in 0... {
            let size = 1 << 20 + Int(generator.next() % (3 << 20))
            let object = try artifacts.objects.put(suffix: ".bin") { url in
                var bytes = [UInt8](repeating: 0, count: size)
                for j in stride(from: 0, to: size, by: 8) { bytes[j] = UInt8(truncatingIfNeeded: generator.next()) }
                try Data(bytes).write(to: url)
            }
            try artifacts.index.record(StageCompletion(
                runId: run, stage: "s@i=\(i)", kind: "s", codeVersion: "1", key: "k\(i)", mode: .executed,
                status: .succeeded, startedAt: Date(), endedAt: Date(), duration: 0,
                outputs: [.init(name: "out", object: object, mediaType: "application/octet-stream")],
                parameters: ["i": "\(i)"], metrics: (0..<20).map { .init(name: "loss", value: Double($0), step: $0) }))
        }
    }

    func testKillNineLeavesNoPartialObjectAndAConsistentIndex() throws {
        let root = try makeTempDirectory(self).appendingPathComponent("artifacts")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["StoreTests.CrashSafetyTests/testChildWritesUntilKilled"]
        child.environment = ProcessInfo.processInfo.environment.merging([Self.childRootVariable: root.path]) { $1 }
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        // Let it write a number of objects, then kill it in the middle of whatever it is doing.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            usleep(100_000)
            let recorded = (try? RunIndex(root: root).allRecordedObjects().count) ?? 0
            if recorded >= 5 { break }
        }
        usleep(UInt32.random(in: 0..<200_000))
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal, "the child must have been killed, not have ended")

        // The lock died with its holder.
        let lock = try ArtifactsLock.acquire(root: root, wait: false)
        defer { lock.release() }
        let artifacts = try Artifacts(root: root)
        XCTAssertEqual(try artifacts.index.markInterruptedRuns(), 1)
        let integrity = try artifacts.index.pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        XCTAssertEqual(integrity, "ok")
        let report = try artifacts.verify()
        XCTAssertGreaterThanOrEqual(report.checked, 5)
        XCTAssertEqual(report.corrupted, [], "a partial object became visible")
        XCTAssertEqual(report.missing, [], "an execution was recorded before its object was in place")
        for execution in try artifacts.index.executions(ofRun: 1) {
            XCTAssertEqual(try artifacts.index.metrics(ofExecution: execution.id!).count, 20, "a completion was half-written")
        }
        try artifacts.objects.cleanScratch()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: artifacts.objects.scratchDirectory.path), [])
    }
}
