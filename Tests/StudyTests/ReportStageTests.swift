// The report stage on fixture objects: every figure rendered to SVG, PNG and TSV with the same bytes
// twice, "not run" when an optional input is absent, claims decided on the numbers, seconds taken from
// the timing objects, and provenance only in the published copy.
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
        XCTAssertEqual(ReportStage.outputs.count, 2 + 21 * 3, "the page, the claims as text, three files per figure")
        for (x, y) in zip(allOutputs(a), allOutputs(b)) {
            let bytes = try Data(contentsOf: x)
            XCTAssertFalse(bytes.isEmpty, x.lastPathComponent)
            XCTAssertEqual(bytes, try Data(contentsOf: y), "\(x.lastPathComponent) differs between two renderings")
        }
        let svg = String(decoding: try Data(contentsOf: a.output("f11")), as: UTF8.self)
        XCTAssertTrue(svg.contains("<svg") && svg.contains("width=\"1140\""), "two 540-px contour panels")
        XCTAssertEqual(Array(try Data(contentsOf: a.output("f11_png")).prefix(4)), [0x89, 0x50, 0x4E, 0x47], "PNG magic")
        XCTAssertEqual(a.metrics["figures_measured"], 19, "all but F3 and F5 (no timing objects)")
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
        XCTAssertEqual(context.metrics["figures_measured"], 12, "F3, F5 (no timing), F9, F10, F11, F15, F19, F20, F21 have no data")
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
        XCTAssertTrue(page.contains("Not run: this pipeline has no <code>reparametrisation</code> stage"), "S10's invariance table")
    }

    func testTheInvarianceTableShowsTheAuditPerAlphaWithItsVerdicts() throws {
        let h = try StageHarness()
        let (runs, distances) = try trainingInputs(h)
        let audit = try ReportFixtures.reparametrisation(in: h.root)
        let context = try h.run(ReportStage.self, manyInputs: ["runs": runs, "distances": [distances], "reparametrisation": [audit]])
        let page = String(decoding: try Data(contentsOf: context.output("index")), as: UTF8.self)
        let table = try XCTUnwrap(page.range(of: "id=\"reparametrisation\"").map { String(page[$0.lowerBound...]) })
        XCTAssertTrue(page.range(of: "id=\"s10\"")!.lowerBound < page.range(of: "id=\"reparametrisation\"")!.lowerBound, "in S10")
        XCTAssertTrue(table.contains("bs-32 minimizer (lr 0.01) with <code>conv2</code>'s weights and bias × α and <code>conv3</code>"))
        XCTAssertTrue(table.contains("no logit moved by more than 0.0001 at any α (largest change 0)"), table)
        XCTAssertTrue(table.contains("≤ 0.0001·|m(1)| at every α"), "the tolerance is stated")
        XCTAssertTrue(table.contains("<th>measure</th><th>α = 0.25</th><th>α = 1</th><th>α = 4</th>"
            + "<th>largest relative change vs α = 1</th><th>verdict</th>"), table)
        // max |m(α) − m(1)| / |m(1)|: λ_max (47 − 4.71)/4.71 = 8.98, φ 8/1, the trace (77.6 − 9.85)/9.85 = 6.88.
        for row in ["<td>Keskar's φ (ε 0.001, L-BFGS-B)</td><td>2.5</td><td>1</td><td>9</td><td>8</td><td>changes</td>",
                    "<td>λ_max (Lanczos)</td><td>6.07</td><td>4.71</td><td>47</td><td>9</td><td>changes</td>",
                    "<td>Hessian trace (Hutchinson)</td><td>41.3</td><td>9.85</td><td>77.6</td><td>6.9</td><td>changes</td>",
                    "<td>adaptive sharpness, worst case (ρ 0.05)</td><td>0.7383</td><td>0.7383</td><td>0.7383</td><td>0</td><td>invariant</td>",
                    "<td>adaptive sharpness, average case (ρ 0.05)</td><td>1.16e-03</td><td>1.16e-03</td><td>1.16e-03</td><td>5e-05</td>"
                        + "<td>invariant</td>",
                    "<td>Keskar-box sharpness, worst case (ε 0.001, sign ascent)</td><td>4.63e-04</td><td>3.22e-04</td><td>2.94e-03</td>"
                        + "<td>8.1</td><td>changes</td>",
                    "<td>training loss f(θ) (check: unchanged)</td><td>0.3</td><td>0.3</td><td>0.3</td><td>0</td><td>invariant</td>",
                    "<td>max |Δ logit| vs the original θ</td><td>0</td><td>0</td><td>0</td><td>–</td><td>unchanged</td>"] {
            XCTAssertTrue(table.contains(row), "\(row) in:\n\(table)")
        }
    }

    /// A timing object as the timing stage writes it: seconds per epoch by batch size, 4 rounds.
    func timing(in h: StageHarness, workers: Int, seconds: [Int: [Double]]) throws -> URL {
        let sizes = seconds.keys.sorted()
        let table = TimingTable(batchSizes: sizes, seconds: sizes.map { seconds[$0]! }, workers: workers, threads: 1, warmup: 1,
                                machine: "Test CPU", engine: "SkylakeX + avx512 conv", trainCount: 100, model: "m", busyCores: 1.01)
        let url = h.root.appendingPathComponent("timing-\(workers).h5")
        try table.write(to: url.path)
        XCTAssertEqual(try TimingTable.read(url, stage: "t"), table, "the object reads back as written")
        return url
    }

    func testTimingFiguresAndClaim2ReadTheTimingObjects() throws {
        let h = try StageHarness()
        let (runs, distances) = try trainingInputs(h)
        let single = try timing(in: h, workers: 1, seconds: [32: [2.0, 2.2, 1.9, 2.1], 64: [1.5, 1.6, 1.4, 1.5],
                                                              256: [0.5, 0.55, 0.45, 0.5]])
        let parallel = try timing(in: h, workers: 2, seconds: [32: [1.2, 1.3, 1.1, 1.2], 256: [0.3, 0.32, 0.29, 0.3]])
        let context = try h.run(ReportStage.self, manyInputs: ["runs": runs, "distances": [distances], "timing": [parallel, single]],
                                runID: 9)
        XCTAssertEqual(context.metrics["figures_measured"], 14,
                       "all but F9, F10, F11, F15, F19, F20, F21 (no curve, sharpness, grids, critical, trajectories, hessians)")
        let f3 = String(decoding: try Data(contentsOf: context.output("f3_data")), as: UTF8.self)
        XCTAssertTrue(f3.contains("32\t2.05\t1.9\t2.2\t"), "median, fastest and slowest round:\n\(f3)")
        let f5 = String(decoding: try Data(contentsOf: context.output("f5_data")), as: UTF8.self)
        XCTAssertTrue(f5.contains("# 2 workers × 1 thread") && f5.contains("256\t0.3\t0.29\t0.32\t"), "1 and 2 workers:\n\(f5)")
        // F4: the bs-256 run stopped after 5 epochs, its minimum at epoch 5: 5 × 0.5 s in total.
        let f4 = String(decoding: try Data(contentsOf: context.output("f4_data")), as: UTF8.self)
        XCTAssertTrue(f4.contains("# seconds in total") && f4.contains("256\t2.5\t"), "epochs × isolated median:\n\(f4)")
        // Timed rounds are the blocks: seconds fall with the batch in every round, so claim 2 holds with one replicate.
        XCTAssertEqual(context.metrics["claim2"], 1)
        let page = String(decoding: try Data(contentsOf: context.output("index")), as: UTF8.self)
        XCTAssertTrue(page.contains("measured alone by the timing stage: 1 worker × 1 thread, 4 rounds after 1 warm-up, Test CPU"))
        let claims = String(decoding: try Data(contentsOf: context.output("claims")), as: UTF8.self)
        XCTAssertTrue(claims.contains("  2  holds        Larger batch → fewer seconds per epoch (F3)"), claims)
        // The stored page holds no provenance (the publish step adds it): no run, machine or commit.
        XCTAssertTrue(page.contains(ReportPage.provenanceStart) && page.contains(ReportPage.unpublished), page)
        XCTAssertFalse(page.contains("deadbeef") || page.contains("run 9"), page)
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
