// A diverged run's metrics (NaN, ±infinity) are recorded like any other: SQLite has no NaN and binds
// one as NULL, which the v1 schema refused (`NOT NULL constraint failed: metric.value`), losing the
// whole execution's record. Since v4 NULL means NaN; an index migrated from v3 keeps its metrics.
import Foundation
import GRDB
@testable import Store
import XCTest

final class NonFiniteMetricTests: XCTestCase {
    private func completion(run: Int64, metrics: [StageCompletion.Metric]) -> StageCompletion {
        StageCompletion(runId: run, stage: "train", kind: "train", codeVersion: "1", key: "k", mode: .executed,
                        status: .succeeded, startedAt: Date(), endedAt: Date(), duration: 1, error: nil,
                        outputs: [], parameters: [:], metrics: metrics, inputs: [:], measurements: [])
    }

    private func newRun(_ index: RunIndex) throws -> Int64 {
        try index.beginRun(RunRecord(startedAt: Date(), pipelineFile: "p.yaml", pipelineHash: "abc", overrides: [:],
                                     gitCommit: nil, gitDirty: nil, host: "box", cpuModel: "Xeon", environment: [:],
                                     threads: 1, toolVersion: "0.1.0")).id!
    }

    func testNaNAndInfiniteMetricsAreStoredAndReadBack() throws {
        let index = try RunIndex(root: try makeTempDirectory(self))
        let run = try newRun(index)
        let execution = try index.record(completion(run: run, metrics: [
            .init(name: "min_val_loss", value: .nan), .init(name: "final_train_loss", value: .infinity),
            .init(name: "log_ratio", value: -.infinity), .init(name: "epochs_run", value: 3),
            .init(name: "loss", value: .nan, step: 2),
        ]))
        let metrics = Dictionary(try index.metrics(ofExecution: execution.id!).map { ("\($0.name)\($0.step.map { "[\($0)]" } ?? "")", $0.value) },
                                 uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(metrics.count, 5)
        XCTAssertTrue(metrics["min_val_loss"]!.isNaN)
        XCTAssertTrue(metrics["loss[2]"]!.isNaN)
        XCTAssertEqual(metrics["final_train_loss"], .infinity)
        XCTAssertEqual(metrics["log_ratio"], -.infinity)
        XCTAssertEqual(metrics["epochs_run"], 3)
    }

    func testAnIndexFromBeforeV4KeepsItsMetricsAndThenTakesNaN() throws {
        let root = try makeTempDirectory(self)
        let queue = try DatabaseQueue(path: root.appendingPathComponent("index.sqlite").path)
        try RunIndexSchema.migrator.migrate(queue, upTo: "v3-cluster-jobs")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO run (startedAt, status, pipelineFile, pipelineHash, overrides, host, cpuModel, threads, toolVersion)
                VALUES (?, 'succeeded', 'p.yaml', 'abc', '{}', 'box', 'Xeon', 1, '0.1.0')
                """, arguments: [Date()])
            try db.execute(sql: """
                INSERT INTO execution (runId, stage, kind, codeVersion, key, mode, status, startedAt, endedAt, duration)
                VALUES (1, 'train', 'train', '1', 'k0', 'executed', 'succeeded', ?, ?, 1)
                """, arguments: [Date(), Date()])
            try db.execute(sql: "INSERT INTO metric (executionId, name, value, step, unit) VALUES (1, 'loss', 0.25, 4, 'nats')")
            XCTAssertThrowsError(try db.execute(sql: "INSERT INTO metric (executionId, name, value) VALUES (1, 'x', NULL)"),
                                 "v1–v3 refuse NULL: the failure this migration removes")
        }
        try queue.close()
        let index = try RunIndex(root: root)
        XCTAssertEqual(try index.metrics(ofExecution: 1).map { "\($0.name) \($0.value) \($0.step!) \($0.unit!)" }, ["loss 0.25 4 nats"])
        let execution = try index.record(completion(run: try newRun(index), metrics: [.init(name: "min_val_loss", value: .nan)]))
        XCTAssertTrue(try index.metrics(ofExecution: execution.id!).first!.value.isNaN)
    }
}
