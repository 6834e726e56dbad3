// A pipeline file or a --set value from someone else is untrusted: alias bombs, deep nesting, huge
// numbers and shell/HTML metacharacters give located errors or stay inert text, quickly, never a
// hang or a crash.
import Foundation
import XCTest
@testable import Pipeline

final class HostileInputTests: XCTestCase {
    let stages = "stages:\n  source: {kind: toy.source}\n  fail: {kind: toy.fail}\n"

    /// Fails when loading takes longer than `seconds` (a hang shows as a failure, not a stuck run).
    func timedError(_ text: String, overrides: [String] = [], seconds: Double = 5) -> String? {
        let start = Date()
        let message = loadError(text, overrides: overrides)
        XCTAssertLessThan(Date().timeIntervalSince(start), seconds, "took too long: \(message ?? "no error")")
        return message
    }

    /// The "billion laughs": 9 levels of 10 aliases each would be 10^9 values.
    func bomb(as key: Bool = false) -> String {
        var text = "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            text += "x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        return text + (key ? "? *a9\n: 1\n" : "") + stages
    }

    func testAliasBombsAreRejectedQuickly() {
        for key in [false, true] {
            let message = timedError(bomb(as: key))
            XCTAssertTrue(message?.contains("aliases expand to more than 100000 values") == true, message ?? "loaded")
            XCTAssertTrue(message?.hasPrefix("test.yaml:") == true, message ?? "")
        }
        // A few ordinary aliases still work (they are YAML, and small).
        let graph = try? load("n: &n 3\nstages:\n  source: {kind: toy.source, params: {n: 3}}\n")
        XCTAssertNil(graph, "an unknown top-level key is still an error")
        XCTAssertNotNil(try? load("stages:\n  source: {kind: toy.source, params: &p {n: 3}}\n  other: {kind: toy.source, params: *p}\n"))
    }

    func testDeepNestingIsRejectedNotACrash() {
        for depth in [100, 100_000] {
            let flow = "stages: {source: {kind: toy.source, params: {n: " + String(repeating: "[", count: depth)
                + String(repeating: "]", count: depth) + "}}}\n"
            // Ours at 64 levels, or libyaml's own limit when its scanner reads that far ahead first.
            let message = timedError(flow)
            XCTAssertTrue(message?.contains("nested deeper than 64 levels") == true
                          || message?.contains("Maximum nesting level reached") == true, message ?? "loaded")
            XCTAssertTrue(message?.hasPrefix("test.yaml:1:") == true, message ?? "loaded")
            let block = "stages:\n  source:\n    kind: toy.source\n    params:\n      n: " + String(repeating: "- ", count: depth) + "1\n"
            let blockMessage = timedError(block)
            XCTAssertNotNil(blockMessage)
            XCTAssertFalse(blockMessage?.isEmpty ?? true)
        }
        let message = timedError(stages, overrides: ["source.n=" + String(repeating: "[", count: 50_000)])
        XCTAssertTrue(message?.contains("--set source.n=") == true, message ?? "loaded")
    }

    func testHugeNumbersAreErrorsWithTheirLocation() {
        XCTAssertEqual(timedError("stages:\n  source: {kind: toy.source, params: {n: 99999999999999999999999}}\n"),
                       "test.yaml:2:42: parameter 'n' of stage 'source': 99999999999999999999999 is too large for an integer "
                       + "(\(Int.min)...\(Int.max))")
        XCTAssertTrue(timedError("stages:\n  source: {kind: toy.source, params: {scale: 1e999}}\n")?
            .contains("must be finite") == true)
        XCTAssertEqual(timedError(stages, overrides: ["source.n=99999999999999999999999"]),
                       "--set source.n=99999999999999999999999: '99999999999999999999999' is not an integer")
        XCTAssertEqual(timedError(stages, overrides: ["source.scale=-1e999"]), "--set source.scale=-1e999: '-1e999' is not a number")
    }

    func testMetacharactersInSetValuesStayText() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("batchlab-pwned-\(UUID().uuidString)")
        for value in ["$(touch \(marker.path))", "`touch \(marker.path)`; rm -rf /", "<script>alert(1)</script>&amp;",
                      "a\nb: [c", "*alias", "&anchor x", "{n: 1}", "' or 1=1 --"] {
            let graph = try load(stages, overrides: ["fail.message=" + value])
            XCTAssertEqual(graph.instance("fail")!.parameters["message"], .string(value))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path))
        // In a typed parameter the same text is an error, not a value.
        for value in ["$(echo 3)", "3; echo", "<b>3</b>", "*a", "[3, *a]"] {
            XCTAssertNotNil(timedError(stages, overrides: ["source.n=" + value]), value)
        }
    }
}
