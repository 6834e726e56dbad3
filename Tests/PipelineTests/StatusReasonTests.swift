// Status reasons that name what is wrong: an output verify found corrupted, measurement order.
import XCTest
@testable import Pipeline

final class StatusReasonTests: XCTestCase {
    func testAnOutputMarkedCorruptedIsCalledCorruptedAndNamed() throws {
        let graph = try load("stages:\n  data: {kind: toy.source}\n  total: {kind: toy.sum, inputs: {values: data.values}}\n")
        let lookup = MemoryLookup()
        try lookup.runAll(graph)
        let object = lookup.executions.first { $0.stage == "data" }!.record.outputs["values"]!
        lookup.corrupted.insert(object.hash)
        let statuses = try StatusCheck.evaluate(graph, plan: Planner.plan(graph), lookup: lookup)
        guard case .stale(_, let reasons) = statuses[0].freshness else { return XCTFail("data should be stale") }
        XCTAssertEqual(reasons.map(\.description), ["output values corrupted (object \(object.hash.hex): its bytes no "
                                                    + "longer match its hash, found by verify)"])
        guard case .stale(_, let downstream) = statuses[1].freshness else { return XCTFail("total should be stale") }
        XCTAssertEqual(downstream.map(\.description), ["upstream stale: data"])
    }

    func testNamesWithNumbersSortNumerically() {
        let names = ["epoch_seconds[10]", "epoch_seconds[2]", "epoch_seconds[1]", "workers", "epoch_seconds[9]"]
        XCTAssertEqual(names.sorted(by: Format.naturalOrder),
                       ["epoch_seconds[1]", "epoch_seconds[2]", "epoch_seconds[9]", "epoch_seconds[10]", "workers"])
    }
}
