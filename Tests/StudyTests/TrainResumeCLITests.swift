// kill -9 during `train` through the real executable: the rerun continues from the last complete
// epoch (resume file under artifacts/resume/) and stores a checkpoint bit-identical to a clean run's.
import Foundation
import TestSupport
import XCTest

final class TrainResumeCLITests: XCTestCase {
    let pipeline = """
        stages:
          data: {kind: generate, params: {count: 400, size: 16}}
          split: {kind: split, inputs: {data: data.images}}
          train:
            kind: train
            params: {batch_size: 8, lr: 0.02, max_epochs: 12, patience: 12, conv_widths: [4, 8], dense_widths: [16]}
            inputs: {data: data.images, split: split.split}
        """

    func resumeFile(_ p: CLIProject) -> URL? { p.resumeFile(named: "train-state.h5") }

    /// Starts `reproduce p.yaml` and returns once training has saved its first resume checkpoint.
    func startUntilResumeFile(_ p: CLIProject, tag: String) throws -> (Process, URL) {
        let (process, _, log) = try p.start(["reproduce", "p.yaml"], tag: tag)
        let deadline = Date().addingTimeInterval(120)
        while resumeFile(p) == nil && Date() < deadline && process.isRunning { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertTrue(process.isRunning, "training finished before the first resume checkpoint was seen; make it longer")
        return (process, log)
    }

    func testKilledTrainingResumesBitIdentically() throws {
        try KillAndResume(pipeline: pipeline, stage: "train", output: "checkpoint", resumeFile: "train-state.h5",
                          rerunSummary: "1 executed, 2 cached", resumed: "measured  resumed_after_epoch = ")
            .assertResumesBitIdentically()
    }

    /// Ctrl-C: training stops at its next epoch's resume checkpoint, the run says so, and the rerun
    /// says where it resumes and ends with the clean run's bytes.
    func testInterruptedTrainingStopsAtAnEpochAndResumesBitIdentically() throws {
        let clean = try CLIProject()
        try clean.write("p.yaml", pipeline)
        XCTAssertEqual(try clean.run("reproduce", "p.yaml").code, 0)
        let expected = try Data(contentsOf: try clean.object(stage: "train", output: "checkpoint"))

        let p = try CLIProject()
        try p.write("p.yaml", pipeline)
        let (process, log) = try startUntilResumeFile(p, tag: "interrupted")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        let output = try String(contentsOf: log, encoding: .utf8)
            + String(contentsOf: p.url.appendingPathComponent("interrupted.out"), encoding: .utf8)
        let stopped = try XCTUnwrap(output.firstMatch(of: #/train: stopped; the next run resumes from epoch ([0-9]+) of 12/#),
                                    output)
        XCTAssertTrue(output.contains("stopped while running: train (their resume checkpoints, if any, are kept)"), output)
        XCTAssertTrue(output.contains("interrupted by SIGINT; resume with: batchlab reproduce p.yaml"), output)
        XCTAssertNotNil(resumeFile(p))
        let shown = try p.run("show", "train").stdout
        XCTAssertTrue(shown.contains("executed, interrupted\n")
                      && shown.contains("  reason    interrupted by SIGINT; the next run resumes from epoch \(stopped.1) of 12\n"), shown)

        let again = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertTrue((again.stdout + again.stderr).contains("train: resumed from epoch \(stopped.1) of 12"),
                      again.stdout + again.stderr)
        XCTAssertEqual(try Data(contentsOf: try p.object(stage: "train", output: "checkpoint")), expected)
    }
}
