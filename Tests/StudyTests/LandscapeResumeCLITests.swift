// kill -9 during `landscape` through the real executable: the rerun continues from the saved grid
// points (resume file under artifacts/resume/) and stores a grid bit-identical to a clean run's.
import Foundation
import TestSupport
import XCTest

final class LandscapeResumeCLITests: XCTestCase {
    let pipeline = """
        stages:
          data: {kind: generate, params: {count: 200, size: 16}}
          split: {kind: split, inputs: {data: data.images}}
          train:
            kind: train
            params: {batch_size: 16, lr: 0.02, max_epochs: 2, conv_widths: [4, 8], dense_widths: [16]}
            inputs: {data: data.images, split: split.split}
          landscape:
            kind: landscape
            params: {batch_size: 16, lr: 0.02, x_count: 45, y_count: 40, train_subset: 120}
            inputs: {checkpoint: train.checkpoint, data: data.images, split: split.split}
        """

    func testKilledGridResumesBitIdentically() throws {
        try KillAndResume(pipeline: pipeline, stage: "landscape", output: "grid", resumeFile: "landscape-grid.h5",
                          rerunSummary: "1 executed, 3 cached", resumed: "resumed_points = [1-9]")
            .assertResumesBitIdentically()
    }

    /// SIGTERM: the grid saves the points done and stops at once; the rerun says where it resumes
    /// and ends with the clean run's bytes.
    func testTerminatedGridSavesItsPointsAndResumesBitIdentically() throws {
        let clean = try CLIProject()
        try clean.write("p.yaml", pipeline)
        XCTAssertEqual(try clean.run("reproduce", "p.yaml").code, 0)
        let expected = try Data(contentsOf: try clean.object(stage: "landscape", output: "grid"))

        let p = try CLIProject()
        try p.write("p.yaml", pipeline)
        let (process, _, log) = try p.start(["reproduce", "p.yaml"], tag: "terminated")
        let deadline = Date().addingTimeInterval(120)
        func started() -> Bool { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("landscape: point ") }
        while !started() && Date() < deadline && process.isRunning { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertTrue(process.isRunning, "the grid finished before its first point was reported; make it larger")
        let sent = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 143)
        XCTAssertLessThan(Date().timeIntervalSince(sent), 1.5, "a grid point is a safe point: no grace period needed")
        let output = try String(contentsOf: log, encoding: .utf8)
        let stopped = try XCTUnwrap(output.firstMatch(of: #/landscape: stopped; the next run resumes from point ([0-9]+) of 1800/#),
                                    output)
        XCTAssertNotNil(p.resumeFile(named: "landscape-grid.h5"), "the points done are saved when the grid stops")

        let again = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("landscape: resumed from point \(stopped.1) of 1800"), again.stderr)
        XCTAssertEqual(try Data(contentsOf: try p.object(stage: "landscape", output: "grid")), expected)
    }
}
