// The SQLite run index: schema, one-transaction completions, and every query the CLI needs.
import Foundation
import GRDB
@testable import Store
import XCTest

final class RunIndexTests: XCTestCase {
    private var index: RunIndex!
    private var root: URL!

    override func setUpWithError() throws {
        root = try makeTempDirectory(self)
        index = try RunIndex(root: root)
    }

    static func hash(_ text: String) -> ObjectHash { ObjectHash.of(Data(text.utf8)) }

    private func newRun(_ pipeline: String = "pipelines/study.yaml") throws -> Int64 {
        try index.beginRun(RunRecord(startedAt: Date(), pipelineFile: pipeline, pipelineHash: Self.hash(pipeline).hex,
                                     overrides: ["train.epochs": "3"], gitCommit: "abc123", gitDirty: true,
                                     host: "box", cpuModel: "Xeon", environment: ["blas_kernel": "SkylakeX"], threads: 2,
                                     toolVersion: "0.1.0")).id!
    }

    private func completion(run: Int64, stage: String, key: String, mode: ExecutionMode = .executed,
                            status: ExecutionStatus = .succeeded, outputs: [String: String] = [:],
                            inputs: [String: String] = [:]) -> StageCompletion {
        StageCompletion(
            runId: run, stage: stage, kind: String(stage.prefix { $0 != "@" }), codeVersion: "1", key: key, mode: mode,
            status: status, startedAt: Date(), endedAt: Date(), duration: 0.25,
            error: status == .failed ? "boom" : nil,
            outputs: outputs.sorted { $0.key < $1.key }.map {
                .init(name: $0.key, object: StoredObject(hash: Self.hash($0.value), size: Int64($0.value.utf8.count)),
                      mediaType: "application/x-hdf5")
            },
            parameters: ["lr": "0.01", "batch_size": "256"],
            metrics: [.init(name: "loss", value: 2.3, step: 0), .init(name: "loss", value: 1.1, step: 1),
                      .init(name: "accuracy", value: 0.9, unit: "fraction")],
            inputs: inputs.mapValues { Self.hash($0) },
            measurements: [.init(name: "wall", value: 0.25, unit: "s"), .init(name: "host", text: "box")])
    }

    /// An index written before the environment map (schema v1, one `blasKernel` column) opens, migrates,
    /// and shows the old kernel string under "kernels".
    func testAnOldIndexKeepsItsRecordedKernel() throws {
        let old = try makeTempDirectory(self)
        let queue = try DatabaseQueue(path: old.appendingPathComponent("index.sqlite").path)
        try RunIndexSchema.migrator.migrate(queue, upTo: "v1")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO run (startedAt, status, pipelineFile, pipelineHash, overrides, host, cpuModel, blasKernel,
                                 threads, toolVersion)
                VALUES (?, 'succeeded', 'p.yaml', 'abc', '{}', 'box', 'Xeon', 'SkylakeX + avx512 conv', 2, '0.1.0'),
                       (?, 'succeeded', 'p.yaml', 'abc', '{}', 'box', 'Xeon', NULL, 2, '0.1.0')
                """, arguments: [Date(), Date()])
        }
        try queue.close()
        let runs = try RunIndex(root: old).runs()
        XCTAssertEqual(runs.map(\.environment), [[:], ["kernels": "SkylakeX + avx512 conv"]])
    }

    func testRunsAreRecordedFinishedAndListedNewestFirst() throws {
        let first = try newRun()
        let second = try newRun("pipelines/other.yaml")
        try index.finishRun(id: first, status: .succeeded)
        let runs = try index.runs()
        XCTAssertEqual(runs.map(\.id), [second, first])
        XCTAssertEqual(runs[1].status, .succeeded)
        XCTAssertNotNil(runs[1].endedAt)
        XCTAssertEqual(runs[1].overrides, ["train.epochs": "3"])
        XCTAssertEqual(runs[1].environment, ["blas_kernel": "SkylakeX"])
        XCTAssertEqual(runs[1].gitDirty, true)
        XCTAssertEqual(try index.runs(limit: 1).map(\.id), [second])
        XCTAssertThrowsError(try index.finishRun(id: 999, status: .failed)) { error in
            XCTAssertEqual(error as? StoreError, .unknownRun(id: 999, path: self.root.appendingPathComponent("index.sqlite").path))
        }
        XCTAssertEqual(try index.markInterruptedRuns(), 1)
        XCTAssertEqual(try index.run(id: second)?.status, .interrupted)
        // Its wall time is not the idle time until someone noticed: it ended when it last did anything.
        XCTAssertEqual(try index.run(id: second)?.endedAt, try index.run(id: second)?.startedAt)
    }

    func testCompletionIsRecordedWithEverything() throws {
        let run = try newRun()
        let execution = try index.record(completion(run: run, stage: "train@bs=256", key: "k1",
                                                    outputs: ["model": "m1"], inputs: ["data": "d1"]))
        let id = execution.id!
        XCTAssertEqual(try index.executions(ofRun: run).map(\.stage), ["train@bs=256"])
        XCTAssertEqual(try index.outputs(ofExecution: id).map(\.objectHash), [Self.hash("m1")])
        XCTAssertEqual(try index.parameters(ofExecution: id), ["lr": "0.01", "batch_size": "256"])
        XCTAssertEqual(try index.metrics(ofExecution: id).map(\.step), [0, 1, nil])
        XCTAssertEqual(try index.inputs(ofExecution: id), ["data": Self.hash("d1")])
        XCTAssertEqual(try index.measurements(ofExecution: id).map(\.name), ["host", "wall"])
        XCTAssertEqual(try index.consumers(of: Self.hash("d1")).map(\.id), [id])
        XCTAssertEqual(try index.outputs(ofRun: run),
                       [RunOutput(stage: "train@bs=256", name: "model", objectHash: Self.hash("m1"), size: 2,
                                  mediaType: "application/x-hdf5")])
    }

    func testCompletionIsOneTransaction() throws {
        let run = try newRun()
        var bad = completion(run: run, stage: "s", key: "k", outputs: ["a": "1"])
        bad.outputs.append(bad.outputs[0])  // duplicate output name violates the primary key mid-transaction
        XCTAssertThrowsError(try index.record(bad)) { error in
            guard case .index? = error as? StoreError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try index.executions(ofRun: run), [], "nothing of a failed completion may remain")
        XCTAssertNil(try index.cacheEntry(forKey: "k"))
    }

    func testCacheLookupTakesNewestSucceededAndSkipsMarkedObjects() throws {
        let run = try newRun()
        try index.record(completion(run: run, stage: "s", key: "k", outputs: ["out": "old"]))
        try index.record(completion(run: run, stage: "s", key: "k", outputs: ["out": "new"]))
        try index.record(completion(run: run, stage: "s", key: "k", status: .failed))
        XCTAssertEqual(try index.cacheEntry(forKey: "k")?.outputs["out"]?.objectHash, Self.hash("new"))
        XCTAssertNil(try index.cacheEntry(forKey: "other"))

        try index.mark(Self.hash("new"), .corrupted)
        XCTAssertEqual(try index.cacheEntry(forKey: "k")?.outputs["out"]?.objectHash, Self.hash("old"))
        try index.mark(Self.hash("old"), .missing)
        XCTAssertNil(try index.cacheEntry(forKey: "k"), "every candidate has a bad object: rebuild")
        XCTAssertEqual(try index.marks().map(\.state).sorted { $0.rawValue < $1.rawValue }, [.corrupted, .missing])

        // The rebuild writes the object again; recording it clears the mark.
        try index.record(completion(run: run, stage: "s", key: "k", outputs: ["out": "new"]))
        XCTAssertEqual(try index.cacheEntry(forKey: "k")?.outputs["out"]?.objectHash, Self.hash("new"))
        XCTAssertEqual(try index.marks().map(\.objectHash), [Self.hash("old")])
    }

    func testStageHistoryMatchesInstanceOrGroup() throws {
        let run = try newRun()
        try index.record(completion(run: run, stage: "train@bs=32", key: "a"))
        try index.record(completion(run: run, stage: "train@bs=64", key: "b"))
        try index.record(completion(run: run, stage: "trainer", key: "c"))
        try index.record(completion(run: run, stage: "train@bs=32", key: "d", status: .failed))
        XCTAssertEqual(try index.history(ofStage: "train").map(\.key), ["d", "b", "a"])
        XCTAssertEqual(try index.history(ofStage: "train@bs=32").map(\.key), ["d", "a"])
        XCTAssertEqual(try index.history(ofStage: "train", limit: 1).map(\.key), ["d"])
        XCTAssertEqual(try index.latestSucceeded(stage: "train@bs=32")?.key, "a")
    }

    func testReferencedObjectsOfLastRuns() throws {
        let old = try newRun()
        try index.record(completion(run: old, stage: "s", key: "1", outputs: ["o": "old-out"], inputs: ["i": "old-in"]))
        let new = try newRun()
        try index.record(completion(run: new, stage: "s", key: "2", mode: .cached, outputs: ["o": "new-out"],
                                    inputs: ["i": "new-in"]))
        XCTAssertEqual(try index.referencedObjects(inLastRuns: 1), [Self.hash("new-out"), Self.hash("new-in")])
        XCTAssertEqual(try index.referencedObjects(inLastRuns: 2).count, 4)
        XCTAssertEqual(try index.referencedObjects(inLastRuns: 0), [])
    }

    func testBatchLookupsMatchSingleOnes() throws {
        let run = try newRun()
        try index.record(completion(run: run, stage: "a", key: "ka", outputs: ["o": "1"]))
        try index.record(completion(run: run, stage: "b", key: "kb", outputs: ["o": "2"]))
        let entries = try index.cacheEntries(forKeys: ["ka", "kb", "kc", "ka"])
        XCTAssertEqual(Set(entries.keys), ["ka", "kb"])
        XCTAssertEqual(entries["kb"], try index.cacheEntry(forKey: "kb"))
        let latest = try index.latestSucceeded(stages: ["a", "b", "c"])
        XCTAssertEqual(latest.mapValues(\.key), ["a": "ka", "b": "kb"])
        XCTAssertEqual(try index.execution(id: latest["a"]!.id!), latest["a"])
    }

    func testUnwritableFolderGivesClearError() throws {
        let readOnly = try mountTmpfs(self, size: "64k", options: "ro")
        XCTAssertThrowsError(try RunIndex(root: readOnly.appendingPathComponent("artifacts"))) { error in
            guard case .notWritable? = error as? StoreError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try RunIndex(root: readOnly)) { error in
            guard case .notWritable? = error as? StoreError else { return XCTFail("\(error)") }
        }
    }

    func testSchemaIsMigratedOnceAndReopens() throws {
        let run = try newRun()
        try index.close()
        let reopened = try RunIndex(root: root)
        XCTAssertEqual(try reopened.run(id: run)?.pipelineFile, "pipelines/study.yaml")
        let applied = try reopened.pool.read { db in try RunIndexSchema.migrator.appliedMigrations(db) }
        XCTAssertEqual(applied, ["v1", "v2", "v3-cluster-jobs", "v4-nan-metrics"])
        let journal = try reopened.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(journal, "wal")
    }
}

extension RunIndexTests {
    func testClusterJobsAreRecordedReplacedAndForgotten() throws {
        let first = ClusterJobRecord(key: "k1", stage: "train@bs=32", jobId: "12_0", folder: "/a/jobs/k1", attempt: 1,
                                     submittedAt: Date(timeIntervalSince1970: 1_000))
        try index.recordClusterJobs([first, ClusterJobRecord(key: "k2", stage: "s", jobId: "13", folder: "/a/jobs/k2", attempt: 1)])
        XCTAssertEqual(try index.clusterJob(forKey: "k1"), first)
        XCTAssertEqual(try index.clusterJobs().map(\.key).sorted(), ["k1", "k2"])
        // A retry replaces the row of its key.
        var retry = first
        retry.jobId = "20"
        retry.attempt = 2
        try index.recordClusterJobs([retry])
        XCTAssertEqual(try index.clusterJob(forKey: "k1")?.jobId, "20")
        XCTAssertEqual(try index.clusterJob(forKey: "k1")?.attempt, 2)
        try index.removeClusterJob(key: "k1")
        XCTAssertNil(try index.clusterJob(forKey: "k1"))
        XCTAssertEqual(try index.clusterJobs().map(\.key), ["k2"])
    }

    func testProducersAreExecutedSucceededWritersNewestFirst() throws {
        let run = try newRun()
        let first = try index.record(completion(run: run, stage: "train@bs=32", key: "k1", outputs: ["checkpoint": "ckpt"]))
        _ = try index.record(completion(run: run, stage: "train@bs=32", key: "k1", mode: .cached, outputs: ["checkpoint": "ckpt"]))
        _ = try index.record(completion(run: run, stage: "train@bs=32", key: "k1", status: .failed, outputs: ["checkpoint": "ckpt"]))
        let second = try index.record(completion(run: try newRun(), stage: "train@bs=32", key: "k1", outputs: ["checkpoint": "ckpt"]))
        XCTAssertEqual(try index.producers(of: Self.hash("ckpt")).map(\.id), [second.id, first.id],
                       "cache reuses and failures did not write the object")
        XCTAssertEqual(try index.producers(of: Self.hash("other")), [])
    }
}
