// Lineage rows name list inputs `values[0]`, `values[1]`…: flattening and back must keep order.
import XCTest
@testable import Pipeline

final class LineageTests: XCTestCase {
    func testFlattenAndUnflattenKeepOrder() {
        let inputs = ["values": (0..<12).map { "h\($0)" }, "model": ["m"]]
        let flat = Lineage.flatten(inputs)
        XCTAssertEqual(flat["values[10]"], "h10")
        XCTAssertEqual(flat["model[0]"], "m")
        XCTAssertEqual(Lineage.unflatten(flat), inputs)
        XCTAssertEqual(Lineage.unflatten(["plain": "x"]), ["plain": ["x"]])
    }
}
