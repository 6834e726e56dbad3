// Every Communicator collective on 1, 2 and 3 real ranks (the distributed-check program under
// mpirun, started through RankLauncher), and a failing rank's message reaching the launcher.
import Distributed
import Foundation
import XCTest

final class CollectivesTests: XCTestCase {
    /// The built program beside the test bundle (.build/<config>/distributed-check).
    let program = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("distributed-check")

    func launch(_ workers: Int, _ arguments: [String] = []) throws -> [String: Double] {
        let stderr = FileManager.default.temporaryDirectory.appendingPathComponent("collectives-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: stderr) }
        var metrics: [String: Double] = [:]
        try RankLauncher.run(RankLaunch(workers: workers, executable: program.path, arguments: arguments,
                                        stderrFile: stderr, extraOptions: [])) { message in
            if case let .metric(name, value) = message { metrics[name] = value }
        }
        return metrics
    }

    func testCollectivesOnOneTwoAndThreeRanks() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: program.path), "build distributed-check first: \(program.path)")
        for n in 1...3 {
            let m = try launch(n)
            let s = Double(n)
            XCTAssertEqual(m["size"], s)
            XCTAssertEqual(m["allreduce_float[999]"], s * 999 + s * (s - 1) / 2)
            XCTAssertEqual(m["allreduce_float_sum"], s * 999 * 1000 / 2 + 1000 * s * (s - 1) / 2)
            XCTAssertEqual(m["allreduce_double[0]"], s * (s - 1) / 2)
            XCTAssertEqual(m["allreduce_double[1]"], 0.5 * s)
            XCTAssertEqual(m["allreduce_max"], s - 1)
            XCTAssertEqual(m["broadcast_mismatches"], 0)
            XCTAssertEqual(m["gather_ok"], 1, "\(n) ranks")
            XCTAssertEqual(m["gather_bytes_ok"], 1, "\(n) ranks (rank 0 sends no bytes)")
        }
    }

    func testAFailingRankStopsAllWithItsMessage() throws {
        XCTAssertThrowsError(try launch(2, ["fail"])) { error in
            guard case let .ranksFailed(status, rankErrors, _)? = error as? DistributedError else { return XCTFail("\(error)") }
            XCTAssertNotEqual(status, 0)
            XCTAssertEqual(rankErrors, ["rank 1: deliberate failure of rank 1"])
        }
    }
}
