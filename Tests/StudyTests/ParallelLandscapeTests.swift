// The landscape grid over MPI ranks (workers: N): the same bytes as the 1-rank grid, and a grid
// resumed from one rank's partial file.
import Distributed
import Foundation
import Pipeline
import Store
@testable import Study
import TestSupport
import XCTest

final class ParallelLandscapeTests: XCTestCase {
    override func setUp() { setenv(RankLauncher.executableVariable, batchlabURL.path, 1) }
    override func tearDown() { unsetenv(RankLauncher.executableVariable) }

    /// A generated 16×16 set, its split and a 2-epoch run: LandscapeTests' inputs.
    func inputs(_ h: StageHarness) throws -> [String: URL] {
        let images = try h.run(GenerateStage.self, ["count": .int(120), "size": .int(16)]).output("images")
        let split = try h.run(SplitStage.self, inputs: ["data": images]).output("split")
        let checkpoint = try h.run(TrainStage.self, LandscapeTests.tinyTrain, inputs: ["data": images, "split": split])
            .output("checkpoint")
        return ["data": images, "split": split, "checkpoint": checkpoint]
    }

    func grid(workers: Int) -> [String: ParamValue] {
        LandscapeTests.grid.merging(["workers": .int(workers)]) { $1 }
    }

    func testRanksGiveTheBytesOfTheOneRankGrid() throws {
        let h = try StageHarness()
        let inputs = try inputs(h)
        let one = try h.run(LandscapeStage.self, grid(workers: 1), inputs: inputs)
        let bytes = try Data(contentsOf: one.output("grid"))
        for workers in [2, 3, 4] {  // 15 points: blocks of 8+7, 5+5+5, 4+4+4+3
            let many = try h.run(LandscapeStage.self, grid(workers: workers), inputs: inputs, threads: 2)
            XCTAssertEqual(try Data(contentsOf: many.output("grid")), bytes, "\(workers) ranks")
            XCTAssertEqual(many.metrics, one.metrics, "\(workers) ranks")
            XCTAssertEqual(many.measurements["workers"], Double(workers))
        }
        XCTAssertEqual(one.measurements["workers"], 1)
    }

    func testResumesFromTheRankFilesOfAKilledRun() throws {
        let h = try StageHarness()
        let inputs = try inputs(h)
        let whole = try Data(contentsOf: try h.run(LandscapeStage.self, grid(workers: 1), inputs: inputs).output("grid"))

        // Rank 1 of a killed 2-rank run had saved 4 points.
        let resume = h.root.appendingPathComponent("resume")
        var values: [String: ParamValue] = [:]
        for spec in LandscapeStage.parameters { if let d = spec.defaultValue { values[spec.name] = d } }
        for (k, v) in LandscapeTests.grid { values[k] = v }
        let job = try LandscapeJob(StageContext(instance: "landscape", parameters: values, inputs: inputs.mapValues { [$0] },
                                                outputs: ["grid": .hdf5], scratch: h.root, threads: 1))
        _ = try LandscapeStage.computeGrid(job, threads: 1, resume: resume.appendingPathComponent("rank-1"), limit: 4)

        let resumed = try h.run(LandscapeStage.self, grid(workers: 2), inputs: inputs, resume: resume, threads: 2)
        XCTAssertEqual(resumed.measurements["resumed_points"], 4)
        XCTAssertEqual(try Data(contentsOf: resumed.output("grid")), whole)
        XCTAssertFalse(FileManager.default.fileExists(atPath: resume.path), "the resume folder is removed when done")
    }
}
