// θ snapshots for PCA trajectories: the bounded, evenly thinned set, and the train stage's record of
// them (the last snapshot of a run that ends on the grid is θ_final; θ's bits are those without).
import Foundation
import NN
import Pipeline
import Store
@testable import Study
@testable import Training
import XCTest

final class ThetaSnapshotsTests: XCTestCase {
    func testSnapshotsStayWithinTheLimitOnAGridOfPowersOfTwo() {
        var s = ThetaSnapshots()
        var kept: [[Int]] = []
        for epoch in 1...20 {
            s.record(epoch: epoch, theta: [Float(epoch)], limit: 4)
            XCTAssertLessThanOrEqual(s.count, 4)
            kept.append(s.epochs)
        }
        XCTAssertEqual(kept[3], [1, 2, 3, 4])
        XCTAssertEqual(kept[4], [2, 4], "the fifth doubles the interval")
        XCTAssertEqual(kept[15], [4, 8, 12, 16])
        XCTAssertEqual(s.epochs, [8, 16])
        XCTAssertEqual(s.every, 8)
        XCTAssertEqual(s.thetas, [[8], [16]], "each snapshot keeps its own θ")
        var none = ThetaSnapshots()
        none.record(epoch: 1, theta: [1], limit: 0)
        XCTAssertEqual(none.count, 0)
    }

    func testTrainStageWritesSnapshotsWithoutChangingTheWeights() throws {
        let h = try StageHarness()
        let images = try h.run(GenerateStage.self, ["count": .int(120), "size": .int(16)]).output("images")
        let inputs = ["data": images, "split": try h.run(SplitStage.self, inputs: ["data": images]).output("split")]
        var params = TrainingTests.tiny
        let plain = try h.run(TrainStage.self, params, inputs: inputs).output("checkpoint")
        params["snapshots"] = .int(3)
        let kept = try h.run(TrainStage.self, params, inputs: inputs).output("checkpoint")
        let a = try HDF5File.open(plain.path), b = try HDF5File.open(kept.path)
        defer { try? a.close(); try? b.close() }
        XCTAssertFalse(try a.exists("/snapshots/epoch"))
        XCTAssertEqual(try a.read("/theta/final", as: Float.self).values.map(\.bitPattern),
                       try b.read("/theta/final", as: Float.self).values.map(\.bitPattern))
        let snapshots = try TrainingCheckpoint.readSnapshots(b)
        XCTAssertEqual(snapshots.epochs, [2, 4], "4 epochs, at most 3 kept: every 2nd")
        XCTAssertEqual(snapshots.every, 2)
        XCTAssertEqual(snapshots.thetas[1], try b.read("/theta/final", as: Float.self).values)
    }
}
