// The report stage on fixture objects: every figure rendered to SVG, PNG and TSV with the same bytes
// twice, "not run" when an optional input is absent, claims decided on the numbers, timings taken from
// the run index, and provenance only in the published copy.
import Foundation
import Pipeline
import Report
@testable import Store
@testable import Study
@testable import StudyReport
import XCTest

final class ReportStageTests: XCTestCase {
    /// Checkpoints of the fixed family (bs 32, 64, 256 at 0.01) and the scaled bs 256 (0.08), and their distances.
    func trainingInputs(_ h: StageHarness) throws -> (runs: [URL], distances: URL) {
        let runs = [
            try ReportFixtures.checkpoint(in: h.root, batchSize: 32, lr: 0.01, valLoss: [0.6, 0.4, 0.45], norms: [3e-3, 4e-3, 2e-3], step: 0.1),
            try ReportFixtures.checkpoint(in: h.root, batchSize: 64, lr: 0.01, valLoss: [0.62, 0.5, 0.48, 0.49], norms: [2e-3, 2e-3], step: 0.05),
            try ReportFixtures.checkpoint(in: h.root, batchSize: 256, lr: 0.01, valLoss: [0.68, 0.6, 0.55, 0.52, 0.5],
                                          norms: [5e-4, 6e-4], step: 0.01, stopped: .maxEpochs),
            try ReportFixtures.checkpoint(in: h.root, batchSize: 256, lr: 0.08, valLoss: [0.6, 0.43, 0.44], norms: [2e-3, 3e-3], step: 0.08),
        ]
        let distances = try h.run(DistancesStage.self, manyInputs: ["runs": runs], tag: "distances").output("distances")
        return (runs, distances)
    }

    func allOutputs(_ context: StageContext) -> [URL] { ReportStage.outputs.map { context.output($0.name) } }

    func testEveryFigureRendersWithTheSameBytesTwice() throws {
        let h = try StageHarness()
        let (runs, distances) = try trainingInputs(h)
        let inputs: [String: [URL]] = [
            "runs": runs, "distances": [distances], "curve": [try ReportFixtures.curve(in: h.root)],
            "sharpness": [try ReportFixtures.sharpness(in: h.root, batchSize: 32, lr: 0.01, phi: 1.1),
                          try ReportFixtures.sharpness(in: h.root, batchSize: 256, lr: 0.01, phi: 4.0),
                          try ReportFixtures.sharpness(in: h.root, batchSize: 256, lr: 0.08, phi: 0.9)],
            "grids": [try ReportFixtures.grid(in: h.root, batchSize: 32, curvature: 0.5),
                      try ReportFixtures.grid(in: h.root, batchSize: 256, curvature: 3)],
            "critical": [try ReportFixtures.critical(in: h.root)],
            "trajectories": [try ReportFixtures.trajectory(in: h.root, batchSize: 32), try ReportFixtures.trajectory(in: h.root, batchSize: 256)],
            "hessians": [try ReportFixtures.hessian(in: h.root, batchSize: 32, lambdaMax: 2), try ReportFixtures.hessian(in: h.root, batchSize: 256, lambdaMax: 5)],
        ]
        let a = try h.run(ReportStage.self, manyInputs: inputs, tag: "a")
        let b = try h.run(ReportStage.self, manyInputs: inputs, tag: "b")
        // BATCHLAB_KEEP_REPORT=DIR keeps this fixture report (every figure measured) for a look in a browser.
        if let keep = ProcessInfo.processInfo.environment["BATCHLAB_KEEP_REPORT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: a.output("index").deletingLastPathComponent(), to: URL(fileURLWithPath: keep))
        }
        XCTAssertEqual(ReportStage.outputs.count, 1 + 21 * 3)
        for (x, y) in zip(allOutputs(a), allOutputs(b)) {
            let bytes = try Data(contentsOf: x)
            XCTAssertFalse(bytes.isEmpty, x.lastPathComponent)
            XCTAssertEqual(bytes, try Data(contentsOf: y), "\(x.lastPathComponent) differs between two renderings")
        }
        let svg = String(decoding: try Data(contentsOf: a.output("f11")), as: UTF8.self)
        XCTAssertTrue(svg.contains("<svg") && svg.contains("width=\"1140\""), "two 540-px contour panels")
        XCTAssertEqual(Array(try Data(contentsOf: a.output("f11_png")).prefix(4)), [0x89, 0x50, 0x4E, 0x47], "PNG magic")
        XCTAssertEqual(a.metrics["figures_measured"], 19, "all but F3 (no run index here) and F5 (no data-parallel runs)")
        let page = String(decoding: try Data(contentsOf: a.output("index")), as: UTF8.self)
        for id in ReportStage.figureIDs { XCTAssertTrue(page.contains("src=\"\(id).svg\""), id) }
        for section in 1...10 { XCTAssertTrue(page.contains("id=\"s\(section)\""), "section S\(section)") }
        // One replicate: every measured claim is inconclusive (no interval across initialisations); the
        // replicated verdicts are tested in ClaimsTests.
        XCTAssertEqual((1...9).map { a.metrics["claim\($0)"] }, [-1, -1, -1, -1, -1, -1, -1, -1, -1])
        let f19 = String(decoding: try Data(contentsOf: a.output("f19_data")), as: UTF8.self)
        XCTAssertTrue(f19.contains("# best lr per batch size"), f19)
        let f20 = String(decoding: try Data(contentsOf: a.output("f20")), as: UTF8.self)
        XCTAssertTrue(f20.contains("80.0 % of variance"), "F20's axes carry the explained variance")
        XCTAssertTrue(page.contains("one replicate only"), "the page says why")
        let f10 = String(decoding: try Data(contentsOf: a.output("f10_data")), as: UTF8.self)
        XCTAssertTrue(f10.contains("32\t1.1\t0.01\t0.001\t"), "φ at ε = 1e-3 per batch size:\n\(f10)")
    }

    func testAbsentOptionalInputsAreSaidNotRunNeverFaked() throws {
        let h = try StageHarness()
        let (runs, distances) = try trainingInputs(h)
        let context = try h.run(ReportStage.self, manyInputs: ["runs": runs, "distances": [distances]])
        XCTAssertEqual(context.metrics["figures_measured"], 12, "F3 (no index), F5, F9, F10, F11, F15, F19, F20, F21 have no data")
        for id in ["f3", "f5", "f9", "f10", "f11", "f15", "f19", "f20", "f21"] {
            let tsv = String(decoding: try Data(contentsOf: context.output("\(id)_data")), as: UTF8.self)
            XCTAssertTrue(tsv.hasPrefix("# not run"), "\(id): \(tsv)")
            XCTAssertGreaterThan(try Data(contentsOf: context.output("\(id)_png")).count, 1000, "a framed message, not an empty image")
        }
        XCTAssertEqual(context.metrics["claim5"], -1)
        XCTAssertEqual(context.metrics["claim9"], -1, "no critical_batch object: not measured")
        XCTAssertEqual(context.metrics["claim7"], -1)
        let page = String(decoding: try Data(contentsOf: context.output("index")), as: UTF8.self)
        XCTAssertTrue(page.contains("not measured"))
        XCTAssertTrue(page.contains("not run: this pipeline has no data for it."))
    }

    func testTimingFiguresReadTheRunIndexAndThePageNamesTheRuns() throws {
        let h = try StageHarness()
        let (runs, distances) = try trainingInputs(h)
        let objects = runs.enumerated().map { StoredObject(hash: ObjectHash.of(Data("ckpt\($0.offset)".utf8)), size: 1) }
        // A data-parallel bs-256 run: its checkpoint records 2 workers; its seconds come from the index.
        let parallel = try ReportFixtures.checkpoint(in: h.root.appendingPathComponent("parallel"), batchSize: 256, lr: 0.01,
                                                     valLoss: [0.7, 0.6], norms: [1e-3], step: 0.01, workers: 2)
        let parallelObject = StoredObject(hash: ObjectHash.of(Data("ckpt4".utf8)), size: 1)
        let index = FixedIndex(objects: objects + [parallelObject])
        let context = try h.run(ReportStage.self, manyInputs: ["runs": runs, "distances": [distances], "parallel": [parallel]],
                                index: index, inputObjects: ["runs": objects, "parallel": [parallelObject]], runID: 9)
        let f5 = String(decoding: try Data(contentsOf: context.output("f5_data")), as: UTF8.self)
        XCTAssertTrue(f5.contains("# 2 worker(s)") && f5.contains("256\t0.3\t"), "1 and 2 workers at bs 256:\n\(f5)")
        // Index seconds per epoch: 2.0 (bs 32), 1.5 (bs 64), 0.5 (bs 256): measured, but one replicate: inconclusive.
        XCTAssertEqual(context.metrics["claim2"], -1)
        let f3 = String(decoding: try Data(contentsOf: context.output("f3_data")), as: UTF8.self)
        XCTAssertTrue(f3.contains("32\t2\t1.5\t2.5\t"), "mean, fastest and slowest epoch from the index:\n\(f3)")
        // The stored page holds no provenance (the publish step adds it): no run, machine or commit.
        let page = String(decoding: try Data(contentsOf: context.output("index")), as: UTF8.self)
        XCTAssertTrue(page.contains(ReportPage.provenanceStart) && page.contains(ReportPage.unpublished), page)
        XCTAssertFalse(page.contains("SkylakeX") || page.contains("deadbeef") || page.contains("run 9"), page)
    }

    func testPublishingPutsTheProvenanceInPlaceOfThePlaceholder() throws {
        let page = "<html><h2 id=\"provenance\">Provenance</h2>\n\(ReportPage.provenanceStart)\n\(ReportPage.unpublished)\n"
            + "\(ReportPage.provenanceEnd)\n</html>"
        let run = RunRecord(id: 7, startedAt: Date(timeIntervalSince1970: 0), pipelineFile: "pipelines/study.yaml", pipelineHash: "abc",
                            overrides: ["data.count": "240"], gitCommit: "deadbeef", host: "box", cpuModel: "Xeon",
                            environment: ["blas_kernel": "SkylakeX"], threads: 2, toolVersion: "0.1.0")
        func execution(_ id: Int64, run: Int64, _ stage: String, _ mode: ExecutionMode) -> ExecutionRecord {
            ExecutionRecord(id: id, runId: run, stage: stage, kind: "report", codeVersion: "10", key: "k", mode: mode,
                            status: .succeeded, startedAt: Date(timeIntervalSince1970: 0), endedAt: Date(timeIntervalSince1970: 2),
                            duration: 2, error: nil)
        }
        let provenance = ReportProvenance(run: run, runID: 7, builtBy: execution(31, run: 3, "report", .executed),
                                          stages: [execution(70, run: 7, "train@batch_size=32", .executed),
                                                   execution(71, run: 7, "report", .cached)])
        let published = try XCTUnwrap(ReportPage.publishing(page, provenance: provenance))
        XCTAssertFalse(published.contains(ReportPage.unpublished), "the placeholder text is replaced")
        for fact in ["published by run</td><td>7 (started 1970-01-01T00:00:00Z)", "run 3, execution 31 (reused from the cache since)",
                     "deadbeef", "--set data.count=240", "box, Xeon", "blas_kernel SkylakeX",
                     "<td>train@batch_size=32</td><td>executed</td><td>2.00</td>", "<td>report</td><td>cached</td><td>–</td>"] {
            XCTAssertTrue(published.contains(fact), "\(fact) in:\n\(published)")
        }
        XCTAssertTrue(published.hasPrefix("<html><h2 id=\"provenance\">Provenance</h2>\n") && published.hasSuffix("\n</html>"))
        XCTAssertNil(ReportPage.publishing("<html>no placeholder</html>", provenance: provenance), "another code version's page")
    }

    func testGnuplotErrorsNameTheFigureAndTheScript() throws {
        let h = try StageHarness()
        let figure = Figure(id: "bad", title: "bad", data: "1\t2\n", script: "plot DATA using 1:2 with nonsense")
        XCTAssertThrowsError(try Gnuplot.render(figure, in: h.root)) { error in
            XCTAssertTrue("\(error)".contains("gnuplot failed on figure bad"), "\(error)")
        }
    }
}

/// A run index with one producing execution per checkpoint: run 4, executions 100…, seconds per epoch by batch size.
final class FixedIndex: StageIndexReader, @unchecked Sendable {
    let objects: [StoredObject]
    init(objects: [StoredObject]) { self.objects = objects }

    func producer(of object: StoredObject) throws -> ProducerExecution? {
        guard let i = objects.firstIndex(of: object) else { return nil }
        let perEpoch = [2.0, 1.5, 0.5, 0.6, 0.3][i]
        let execution = ExecutionRecord(id: Int64(100 + i), runId: 4, stage: "train@\(i)", kind: "train", codeVersion: "1", key: "k\(i)",
                                        mode: .executed, status: .succeeded, startedAt: Date(timeIntervalSince1970: 0),
                                        endedAt: Date(timeIntervalSince1970: 1), duration: 1, error: nil)
        return ProducerExecution(execution: execution, parameters: i == 4 ? ["workers": "2"] : [:], metrics: [:], measurements: [
            "seconds_per_epoch": perEpoch, "seconds_total": perEpoch * 3, "seconds_to_min": perEpoch * 2,
            "epoch_seconds[1]": perEpoch - 0.5, "epoch_seconds[2]": perEpoch + 0.5, "epoch_seconds[3]": perEpoch,
        ])
    }

    func run(id: Int64) throws -> RunRecord? {
        RunRecord(id: id, startedAt: Date(timeIntervalSince1970: 0), pipelineFile: "pipelines/study.yaml", pipelineHash: "abc",
                  gitCommit: "deadbeef", host: "box", cpuModel: "Xeon", environment: ["blas_kernel": "SkylakeX"], threads: 2, toolVersion: "0.1.0")
    }

    func executions(ofRun id: Int64) throws -> [ExecutionRecord] { [] }
}
