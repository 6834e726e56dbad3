// The report through the real executable on the small example pipeline: `reproduce` prints the
// published page's path, a second reproduce reuses everything and republishes, `diff` lists the
// figures whose bytes differ and writes the side-by-side page, and headless Chromium sees every image.
import Foundation
import TestSupport
import XCTest

final class ReportCLITests: XCTestCase {
    static let pipeline = "pipelines/examples/report-small.yaml"
    static let small = ["--set", "data.count=240", "--set", "train.max_epochs=2"]

    func testReproducePublishesTheReportAndDiffShowsChangedFigures() throws {
        let project = try CLIProject(pipelines: true)
        let first = try project.run(["reproduce", Self.pipeline] + Self.small)
        XCTAssertEqual(first.code, 0, first.stderr)
        XCTAssertTrue(first.stdout.hasSuffix("report: artifacts/report/report-small/index.html\n"), first.stdout)
        let folder = project.artifacts.appendingPathComponent("report/report-small")
        for file in ["index.html", "f1.svg", "f1_png.png", "f1_data.tsv", "f17.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), file)
        }
        func published() throws -> String { try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8) }
        let page = try published()
        XCTAssertTrue(page.contains("Added when run 1 published this copy") && page.contains("<td>run 1 (this run)</td>"),
                      "provenance from the index, added by the publish step")
        XCTAssertTrue(page.contains("<td>train@batch_size=32,lr=0.01</td><td>executed</td>"), "per-stage modes")
        let stored = try project.object(stage: "report", output: "index")
        let storedPage = try String(contentsOf: stored, encoding: .utf8)
        XCTAssertFalse(storedPage.contains("Added when run"), "the stored object holds no provenance")

        let again = try project.run(["reproduce", Self.pipeline] + Self.small)
        XCTAssertTrue(again.stdout.hasPrefix("0 executed"), again.stdout)
        XCTAssertTrue(again.stdout.contains("report: artifacts/report/report-small/index.html"), "republished from the cache")
        XCTAssertTrue(try published().contains("Added when run 2 published this copy"), "the copy names the run that published it")
        XCTAssertTrue(try published().contains("<td>report</td><td>cached</td>"))

        // The same key after the index has changed (two more runs): the body runs again and writes the same bytes.
        let forced = try project.run(["run", "-p", Self.pipeline, "report", "--force"] + Self.small)
        XCTAssertTrue(forced.stdout.hasPrefix("1 executed"), forced.stdout + forced.stderr)
        XCTAssertEqual(try project.object(stage: "report", output: "index"), stored, "report object bytes depend on its key only")
        let republished = try published()
        XCTAssertTrue(republished.contains("<td>run 3 (this run)</td>"), republished)

        let longer = try project.run(["reproduce", Self.pipeline, "--set", "data.count=240", "--set", "train.max_epochs=3"])
        XCTAssertEqual(longer.code, 0, longer.stderr)
        let diff = try project.run("diff", "1", "4", "report")
        XCTAssertEqual(diff.code, 1, diff.stdout + diff.stderr)
        XCTAssertTrue(diff.stdout.contains("figures whose bytes differ: report.f1,"), diff.stdout)
        let side = project.artifacts.appendingPathComponent("diff/run-1-vs-4/index.html")
        XCTAssertTrue(diff.stdout.contains("side-by-side figures: \(side.path)"), diff.stdout)
        let sidePage = try String(contentsOf: side, encoding: .utf8)
        XCTAssertTrue(sidePage.contains("<h2>report.f1</h2>") && sidePage.contains("0-a.svg") && sidePage.contains("0-b.svg"))

        // As a reader sees it, in Chromium, which only `make test REPORT_CHECK=1` (CI) and `make check-report`
        // install: asked for (BATCHLAB_REPORT_CHECK=1) it must run; otherwise it runs when Chromium is there.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") else {
            if ProcessInfo.processInfo.environment["BATCHLAB_REPORT_CHECK"] == "1" {
                return XCTFail("BATCHLAB_REPORT_CHECK=1 but chromium is not installed: run scripts/install-deps.sh --report-check")
            }
            throw XCTSkip("the report check needs Chromium: run make test REPORT_CHECK=1, which installs it")
        }
        let check = Process()
        check.executableURL = repositoryRoot.appendingPathComponent("scripts/check-report.sh")
        check.arguments = [folder.appendingPathComponent("index.html").path, project.artifacts.appendingPathComponent("check").path]
        let out = Pipe()
        check.standardOutput = out
        try check.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        XCTAssertEqual(check.terminationStatus, 0, text)
        XCTAssertTrue(text.hasPrefix("RESULT OK 42 images"), text)  // F1–F21, each SVG and PNG
    }
}
