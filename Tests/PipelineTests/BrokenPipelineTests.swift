// The corpus of broken pipeline files: each must fail to load with exactly its recorded message.
// Set BATCHLAB_RECORD=1 to (re)write the .expected files, then review them by eye.
import XCTest
@testable import Pipeline

final class BrokenPipelineTests: XCTestCase {
    func testEveryBrokenFileGivesItsExactMessage() throws {
        let folder = fixturesURL.appendingPathComponent("broken")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 10)
        let record = ProcessInfo.processInfo.environment["BATCHLAB_RECORD"] == "1"
        for name in files {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            guard let message = loadError(text, file: name) else {
                XCTFail("\(name) loaded without error")
                continue
            }
            let expectedURL = folder.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".expected"))
            if record { try Data((message + "\n").utf8).write(to: expectedURL) }
            let expected = try String(contentsOf: expectedURL, encoding: .utf8)
            XCTAssertEqual(message + "\n", expected, name)
        }
    }
}
