// The kill -9 test every resumable stage shares (train, landscape, data-parallel train): a clean run's
// object, a run killed as soon as the stage's resume file appears, and a rerun that must resume from it
// and store a bit-identical object.
import Foundation
import XCTest

public struct KillAndResume {
    /// The pipeline file's text; its stage `stage` writes `resumeFile` while it runs.
    public var pipeline: String
    public var stage: String
    public var output: String
    public var resumeFile: String
    /// What the rerun's summary must say, e.g. "1 executed, 2 cached".
    public var rerunSummary: String
    /// A regular expression `batchlab show STAGE` must match after the rerun (the resume measurement).
    public var resumed: String

    public init(pipeline: String, stage: String, output: String, resumeFile: String, rerunSummary: String, resumed: String) {
        self.pipeline = pipeline
        self.stage = stage
        self.output = output
        self.resumeFile = resumeFile
        self.rerunSummary = rerunSummary
        self.resumed = resumed
    }

    /// Runs the three runs; `afterKill` checks the killed project further (e.g. no MPI ranks left).
    public func assertResumesBitIdentically(afterKill: (CLIProject) -> Void = { _ in },
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        let clean = try CLIProject(pipelines: true)
        try clean.write("p.yaml", pipeline)
        let r = try clean.run("reproduce", "p.yaml")
        XCTAssertEqual(r.code, 0, r.stdout + r.stderr, file: file, line: line)
        let expected = try Data(contentsOf: try clean.object(stage: stage, output: output))

        let p = try CLIProject(pipelines: true)
        try p.write("p.yaml", pipeline)
        let (process, _, _) = try p.start(["reproduce", "p.yaml"], tag: "killed")
        let deadline = Date().addingTimeInterval(120)
        while p.resumeFile(named: resumeFile) == nil && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.01)
        }
        XCTAssertTrue(process.isRunning, "\(stage) finished before its first resume file was seen; make it longer",
                      file: file, line: line)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        afterKill(p)
        XCTAssertNotNil(p.resumeFile(named: resumeFile), "a resume file survives the kill", file: file, line: line)

        let again = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(again.code, 0, again.stdout + again.stderr, file: file, line: line)
        XCTAssertTrue(again.stdout.contains(rerunSummary), again.stdout, file: file, line: line)
        let shown = try p.run("show", stage)
        XCTAssertNotNil(shown.stdout.range(of: resumed, options: .regularExpression), "the rerun resumed: \(shown.stdout)",
                        file: file, line: line)
        XCTAssertEqual(try Data(contentsOf: try p.object(stage: stage, output: output)), expected,
                       "the resumed \(stage) stored the clean run's bits", file: file, line: line)
        XCTAssertNil(p.resumeFile(named: resumeFile), "the resume file is removed once the object is written",
                     file: file, line: line)
    }
}
