// A foreach entry's own replicate count through the real executable (pipelines/study-extended.yaml's
// shape): a tiny study run with 2 replicates, then again with its fixed-lr entries in 3. Only the new
// replicates of those entries, their sharpness and the stages that read every run execute; everything
// else is served from the cache (the same keys), and the report decides each claim on the replicates
// where its whole family exists and says which.
import Foundation
import TestSupport
import XCTest

final class EntryReplicatesCLITests: XCTestCase {
    /// Fixed lr 0.1 (bs 8, 32) and the scaled lr (bs 8 at 0.1, bs 32 at 0.4), 16×16 easy images, 4 epochs.
    /// `fixed` is appended to the two fixed-lr entries of train and sharpness.
    static func pipeline(fixed: String) -> String {
        """
        stages:
          data: {kind: generate, params: {count: 200, size: 16, difficulty: 0.2, mislabelled: 0, test_count: 100}}
          split: {kind: split, inputs: {data: data.images}}
          train:
            kind: train
            replicates: 2
            params: {max_epochs: 4, patience: 4, conv_widths: [4, 8], dense_widths: [16]}
            foreach:
              - {batch_size: 8, lr: 0.1\(fixed)}
              - {batch_size: 32, lr: 0.1\(fixed)}
              - {batch_size: 32, lr: 0.4}
            inputs: {data: data.images, split: split.split}
          evaluate:
            kind: evaluate
            inputs: {runs: train.checkpoint, test: data.test}
          sharpness:
            kind: sharpness
            replicates: 2
            params: {epsilon: [0.001], iterations: 2, train_subset: 100}
            foreach:
              - {batch_size: 8, lr: 0.1\(fixed)}
              - {batch_size: 32, lr: 0.1\(fixed)}
              - {batch_size: 32, lr: 0.4}
            inputs: {checkpoint: train.checkpoint, data: data.images, split: split.split}
          distances:
            kind: distances
            params: {small_batch_size: 8, large_batch_size: 32, ratio_lr: 0.1}
            inputs: {runs: train.checkpoint}
          report:
            kind: report
            params: {title: tiny, fixed_lr: 0.1, base_lr: 0.1, base_batch_size: 8, sweep_lr: 0.4}
            inputs: {runs: train.checkpoint, distances: distances.distances, evaluation: evaluate.evaluation, sharpness: sharpness.sharpness}
        """
    }

    func testMoreReplicatesOfSomeEntriesRunOnlyTheNewOnesAndEachClaimNamesItsReplicates() throws {
        let p = try CLIProject()
        try p.write("p.yaml", Self.pipeline(fixed: ""))
        let first = try p.run("reproduce", "p.yaml", "-j", "2")
        XCTAssertEqual(first.code, 0, first.stdout + first.stderr)
        // data, split, 6 train, evaluate, 6 sharpness, distances, report
        XCTAssertTrue(first.stdout.contains("17 executed, 0 cached, 0 failed"), first.stdout)

        try p.write("p.yaml", Self.pipeline(fixed: ", replicates: 3"))
        let more = try p.run("reproduce", "p.yaml", "-j", "2")
        XCTAssertEqual(more.code, 0, more.stdout + more.stderr)
        // New: train and sharpness of bs 8 and 32 at lr 0.1, replicate 3; evaluate, distances and the report
        // read every run. Cached: data, split, the 6 runs and 6 sharpness measurements of replicates 1–2.
        XCTAssertTrue(more.stdout.contains("7 executed, 14 cached, 0 failed"), more.stdout)
        let page = try String(contentsOf: p.url.appendingPathComponent("artifacts/report/p/index.html"), encoding: .utf8)
        for name in ["train@batch_size=8,lr=0.1,replicate=3", "train@batch_size=32,lr=0.1,replicate=3",
                     "sharpness@batch_size=8,lr=0.1,replicate=3", "sharpness@batch_size=32,lr=0.1,replicate=3",
                     "evaluate", "distances", "report"] {
            XCTAssertTrue(page.contains("<td>\(name)</td><td>executed</td>"), name)
        }
        for name in ["train@batch_size=8,lr=0.1,replicate=2", "train@batch_size=32,lr=0.4,replicate=2",
                     "sharpness@batch_size=32,lr=0.1,replicate=1", "sharpness@batch_size=32,lr=0.4,replicate=2"] {
            XCTAssertTrue(page.contains("<td>\(name)</td><td>cached</td>"), name)
        }
        XCTAssertFalse(page.contains("lr=0.4,replicate=3"), "the scaled-lr entry keeps 2 replicates")

        let claims = try String(contentsOf: p.url.appendingPathComponent("artifacts/report/p/claims.txt"), encoding: .utf8)
        print(claims)
        XCTAssertTrue(claims.contains("Replicates per claim: claims 1, 3, 4, 5: n = 3 (replicates 1–3); claims 6, 7: n = 2 (replicates 1, 2)"),
                      claims)
        let six = try XCTUnwrap(claims.components(separatedBy: "\n  6  ").last?.components(separatedBy: "\n  7  ").first, claims)
        XCTAssertTrue(six.contains("n = 2 replicates (1, 2; 3 left out: not every batch size of both families measured there)"), six)
    }
}
