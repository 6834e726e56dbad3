// critical_batch in replicates through the real executable: each instance fits its own replicate's
// runs, the report merges the fits and decides claim 9 with an interval; an unreplicated instance
// given several replicates' runs fails saying how to route them; the extended study's graph.
import Foundation
import TestSupport
import XCTest

final class CriticalBatchReplicatesCLITests: XCTestCase {
    /// Two replicates of a 2 × 2 grid (bs 8 and 32, lr 0.1 and 0.2) on easy 16×16 images: every run
    /// reaches 0.5 within 40 epochs (measured: 3 s for the whole pipeline).
    static func pipeline(criticalReplicates: Bool) -> String {
        """
        stages:
          data: {kind: generate, params: {count: 300, size: 16, difficulty: 0.2, mislabelled: 0}}
          split: {kind: split, inputs: {data: data.images}}
          train:
            kind: train
            replicates: 2
            params: {max_epochs: 40, patience: 40, conv_widths: [4, 8], dense_widths: [16]}
            foreach:
              - {batch_size: 8, lr: 0.2}
              - {batch_size: 8, lr: 0.1}
              - {batch_size: 32, lr: 0.2}
              - {batch_size: 32, lr: 0.1}
            inputs: {data: data.images, split: split.split}
          critical_batch:
            kind: critical_batch
        \(criticalReplicates ? "    replicates: 2\n" : "")\
            params: {target_val_loss: 0.5, window_epochs: 2}
            inputs: {runs: train.checkpoint}
          distances:
            kind: distances
            params: {small_batch_size: 8, large_batch_size: 32, ratio_lr: 0.1}
            inputs: {runs: train.checkpoint}
          report:
            kind: report
            params: {title: tiny, fixed_lr: 0.1, base_lr: 0.1, base_batch_size: 8, sweep_lr: 0.2}
            inputs: {runs: train.checkpoint, distances: distances.distances, critical: critical_batch.critical}
        """
    }

    func testEachReplicateIsFittedAndClaimNineGetsAnInterval() throws {
        let p = try CLIProject()
        try p.write("p.yaml", Self.pipeline(criticalReplicates: true))
        let r = try p.run("reproduce", "p.yaml", "-j", "2")
        XCTAssertEqual(r.code, 0, r.stdout + r.stderr)
        for replicate in [1, 2] {
            let shown = try p.run("show", "critical_batch@replicate=\(replicate)").stdout
            let tag = replicate > 1 ? "[replicate=\(replicate)]" : ""
            XCTAssertTrue(shown.contains("metric    b_crit_measured\(tag) = "), shown)
            XCTAssertTrue(shown.contains("metric    b_simple_predicted\(tag) = "), shown)
            XCTAssertEqual(shown.components(separatedBy: "metric    b_crit_measured").count - 1, 1, "one fit per instance: \(shown)")
        }
        let claims = try String(contentsOf: p.url.appendingPathComponent("artifacts/report/p/claims.txt"), encoding: .utf8)
        let nine = try XCTUnwrap(claims.components(separatedBy: "\n  9  ").last, claims)
        XCTAssertTrue(nine.contains("replicate 1: B_noise ") && nine.contains("replicate 2: B_noise "), nine)
        XCTAssertTrue(nine.contains("log2(B_noise/B_simple): ") && nine.contains("(95 %, df 1)"), "an interval over the two fits: \(nine)")
        XCTAssertFalse(nine.contains("one replicate"), nine)
        print("claim 9 on the tiny pipeline: \(nine.prefix(200))")
        XCTAssertEqual(try p.run("status", "-p", "p.yaml").stdout.contains("0 stale"), true)
    }

    func testAnUnreplicatedInstanceGivenTwoReplicatesSaysHowToRouteThem() throws {
        let p = try CLIProject()
        try p.write("p.yaml", Self.pipeline(criticalReplicates: false))
        let r = try p.run("run", "critical_batch", "-p", "p.yaml", "-j", "2")
        XCTAssertNotEqual(r.code, 0)
        XCTAssertTrue(r.stdout.contains("it is a run of replicate 2 but the stage fits replicate 1; give critical_batch the same "
                                        + "`replicates:` as its train stages"), r.stdout)
    }

    func testTheExtendedStudysGraphFitsEveryReplicateOfTheGrid() throws {
        let p = try CLIProject()
        let dag = try p.run("dag", "\(repositoryRoot.path)/pipelines/study-extended.yaml")
        XCTAssertEqual(dag.code, 0, dag.stderr)
        for r in 1...3 {
            let line = try XCTUnwrap(dag.stdout.split(separator: "\n").first { $0.hasPrefix("critical_batch@replicate=\(r) ") })
            // train's 12 runs and train_grid's 22 (six lrs at bs 32–256 beyond train's, five at bs 8 and 16)
            XCTAssertEqual(line.components(separatedBy: ",replicate=\(r)").count - 1, 34, String(line))
            XCTAssertTrue(line.contains("train_grid@batch_size=256,lr=0.32,replicate=\(r)"), String(line))
            XCTAssertTrue(line.contains("train_grid@batch_size=8,lr=0.01,replicate=\(r)"), String(line))
        }
        let report = try XCTUnwrap(dag.stdout.split(separator: "\n").first { $0.hasPrefix("report ") })
        XCTAssertTrue(report.hasSuffix("critical_batch@replicate=1, critical_batch@replicate=2, critical_batch@replicate=3, "
                                       + "trajectory@batch_size=32,lr=0.01, trajectory@batch_size=256,lr=0.01"), String(report.suffix(200)))
        let status = try p.run("status", "-p", "\(repositoryRoot.path)/pipelines/study-extended.yaml")
        XCTAssertTrue(status.stdout.contains("critical_batch@replicate=3"), status.stdout)
    }
}
