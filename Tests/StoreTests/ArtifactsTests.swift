// Store and index together: cache lookups trust recorded hashes, verify finds damage, gc frees space.
import Foundation
@testable import Store
import XCTest

final class ArtifactsTests: XCTestCase {
    private var artifacts: Artifacts!

    override func setUpWithError() throws {
        artifacts = try Artifacts(root: try makeTempDirectory(self).appendingPathComponent("artifacts"))
    }

    /// One run with one stage that writes `payloads` as objects; returns the run id and the objects.
    @discardableResult
    private func runStage(key: String, payloads: [String: String], inputs: [String: ObjectHash] = [:],
                          mode: ExecutionMode = .executed) throws -> (Int64, [String: StoredObject]) {
        let run = try artifacts.index.beginRun(RunRecord(startedAt: Date(), pipelineFile: "p.yaml", pipelineHash: "h",
                                                         host: "h", cpuModel: "c", threads: 1, toolVersion: "t")).id!
        var objects: [String: StoredObject] = [:]
        for (name, text) in payloads { objects[name] = try artifacts.objects.put(bytes: Data(text.utf8)) }
        try artifacts.index.record(StageCompletion(
            runId: run, stage: "s", kind: "s", codeVersion: "1", key: key, mode: mode, status: .succeeded,
            startedAt: Date(), endedAt: Date(), duration: 0,
            outputs: objects.sorted { $0.key < $1.key }.map { .init(name: $0.key, object: $0.value, mediaType: "text/plain") },
            inputs: inputs))
        try artifacts.index.finishRun(id: run, status: .succeeded)
        return (run, objects)
    }

    func testCacheLookupTrustsRecordedHashesButNoticesMissingObjects() throws {
        let (_, objects) = try runStage(key: "k", payloads: ["a": "alpha", "b": "beta"])
        XCTAssertEqual(try artifacts.cacheLookup(key: "k")?.outputs["a"]?.objectHash, objects["a"]!.hash)
        try artifacts.objects.remove(objects["b"]!.hash)
        XCTAssertNil(try artifacts.cacheLookup(key: "k"), "an output is gone: the stage must run again")
        XCTAssertEqual(try artifacts.index.marks().map(\.objectHash), [objects["b"]!.hash])
    }

    func testVerifyFindsFlippedByteAndMissingObjectAndBlocksTheirReuse() throws {
        let (_, objects) = try runStage(key: "k1", payloads: ["x": "one"])
        let (_, others) = try runStage(key: "k2", payloads: ["y": "two"])
        XCTAssertTrue(try artifacts.verify().isClean)
        try flipByte(at: 1, of: artifacts.objects.url(of: objects["x"]!.hash))
        try artifacts.objects.remove(others["y"]!.hash)
        let report = try artifacts.verify()
        XCTAssertEqual(report.corrupted, [objects["x"]!.hash])
        XCTAssertEqual(report.missing, [others["y"]!.hash])
        XCTAssertEqual(report.checked, 1)
        XCTAssertNil(try artifacts.cacheLookup(key: "k1"), "a corrupted output is never reused")
        XCTAssertNil(try artifacts.cacheLookup(key: "k2"))
        // The next reproduce reruns the stage, which writes the good bytes again.
        try runStage(key: "k1", payloads: ["x": "one"])
        XCTAssertEqual(artifacts.objects.check(objects["x"]!.hash), .ok)
        XCTAssertNotNil(try artifacts.cacheLookup(key: "k1"))
    }

    func testGCDeletesOnlyObjectsNoKeptRunReferences() throws {
        let (_, old) = try runStage(key: "old", payloads: ["o": String(repeating: "x", count: 1000)])
        let (_, kept) = try runStage(key: "new", payloads: ["o": "kept"], inputs: ["in": try artifacts.objects.put(bytes: Data("input".utf8)).hash])
        let stray = try artifacts.objects.put(bytes: Data("never recorded".utf8))
        _ = try artifacts.objects.makeScratchURL()  // only a name; scratch leftovers are removed too
        _ = FileManager.default.createFile(atPath: try artifacts.objects.makeScratchURL().path, contents: Data("partial".utf8))

        let report = try artifacts.gc(keepRuns: 1)
        XCTAssertEqual(report.deletedObjects, 2)
        XCTAssertEqual(report.bytesFreed, 1000 + Int64("never recorded".utf8.count))
        XCTAssertEqual(report.keptObjects, 2)
        XCTAssertFalse(artifacts.objects.contains(old["o"]!.hash))
        XCTAssertFalse(artifacts.objects.contains(stray.hash))
        XCTAssertTrue(artifacts.objects.contains(kept["o"]!.hash))
        XCTAssertTrue(artifacts.objects.contains(ObjectHash.of(Data("input".utf8))))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: artifacts.objects.scratchDirectory.path), [])
        XCTAssertNil(try artifacts.cacheLookup(key: "old"), "collected objects are not cache hits")
        XCTAssertTrue(try artifacts.verify().isClean, "objects deleted by gc are not reported missing")
        XCTAssertEqual(try artifacts.gc(keepRuns: 1).bytesFreed, 0)
    }
}
