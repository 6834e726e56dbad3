// Per-run tables (the distances object's layout) are compared row by key, not by position.
import Foundation
@testable import Store
import XCTest

final class HDF5RunRowsTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws { dir = try makeTempDirectory(self) }

    /// A distances-like file whose runs (batch size, lr, replicate?) come in the given row order.
    private func make(_ name: String, order: [Int], replicate: Bool = false, bump: Double = 0) throws -> String {
        let batch: [Int64] = [16, 16, 256, 256], lr = [0.01, 0.1, 0.01, 0.1]
        let distance = [1.0, 2.0, 3.0, 4.0], perEpoch = [[1.0, 1.5], [2.0, 2.5], [3.0, .nan], [4.0, 4.5]]
        let path = dir.appendingPathComponent(name).path
        let file = try HDF5File.create(path)
        try file.write("/runs/batch_size", HDF5Array(shape: [4], values: order.map { batch[$0] }))
        try file.write("/runs/lr", HDF5Array(shape: [4], values: order.map { lr[$0] }))
        if replicate { try file.write("/runs/replicate", HDF5Array<Int64>(shape: [4], values: [0, 0, 0, 0])) }
        try file.write("/runs/distance_min", HDF5Array(shape: [4], values: order.map { distance[$0] + ($0 == 3 ? bump : 0) }))
        try file.write("/epochs/distance", HDF5Array(shape: [4, 2], values: order.flatMap { perEpoch[$0] }))
        // Shared across runs: compared by position even though it has 4 rows.
        try file.write("/ratio/epoch_distance", HDF5Array(shape: [4], values: [0.5, 0.6, 0.7, 0.8]))
        try file.close()
        return path
    }

    func testTheSameRunsInAnotherOrderAreTheSame() throws {
        for replicate in [false, true] {
            let a = try make("a\(replicate).h5", order: [0, 1, 2, 3], replicate: replicate)
            let b = try make("b\(replicate).h5", order: [3, 1, 0, 2], replicate: replicate)
            let report = try HDF5Compare.compare(a, b)
            XCTAssertTrue(report.isSame, report.description)
        }
    }

    func testADifferenceIsFoundInTheMatchingRow() throws {
        let a = try make("a.h5", order: [0, 1, 2, 3])
        let b = try make("b.h5", order: [3, 1, 0, 2], bump: 0.5)
        let report = try HDF5Compare.compare(a, b)
        XCTAssertFalse(report.isSame)
        let distance = report.datasets.first { $0.path == "/runs/distance_min" }!
        XCTAssertEqual(distance.beyondTolerance, 1)
        XCTAssertEqual(distance.firstBadIndex, 3, "row 3 of A (bs 256, lr 0.1) against its match in B (row 0)")
        XCTAssertEqual(report.datasets.filter { $0.status != .same }.map(\.path), ["/runs/distance_min"])
    }

    func testDifferentRunsFallBackToPositions() throws {
        let a = try make("a.h5", order: [0, 1, 2, 3])
        let b = try make("b.h5", order: [0, 1, 2, 2])  // a run twice, one missing: not a permutation
        let report = try HDF5Compare.compare(a, b)
        XCTAssertFalse(report.isSame)
        XCTAssertEqual(report.datasets.first { $0.path == "/runs/distance_min" }?.firstBadIndex, 3)
    }
}
