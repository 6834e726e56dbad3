// `batchlab-bench`: one program, a subcommand per benchmark; bad arguments are rejected before anything
// is measured, with a message naming the option and exit code 2 (as the batchlab CLI's usage errors).
import Foundation
import TestSupport
import XCTest

final class BenchArgumentsTests: XCTestCase {
    let bench = batchlabURL.deletingLastPathComponent().appendingPathComponent("batchlab-bench").path

    func testBadArgumentsExitTwoNamingTheOption() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: bench), "build batchlab-bench first: \(bench)")
        let cases: [([String], String)] = [
            (["core", "--threads", "1,x"], "'1,x' is invalid for '--threads"),
            (["core", "--models", "48x48"], "'48x48' is invalid for '--models"),
            (["core", "--seconds", "0"], "--seconds must be positive"),
            (["landscape", "--subset", "0"], "--subset must be positive"),
            (["datasets", "--count", "many"], "'many' is invalid for '--count"),
            (["pipeline", "--repeat"], "Missing value for '--repeat"),
            (["engines", "--rounds", "0"], "--rounds must be positive"),
            (["gemm", "--model", "16x16"], "'16x16' is invalid for '--model"),
            (["store", "a", "b"], "Unexpected argument 'b'"),
            (["--landscape"], "Unknown option '--landscape'"),
            (["nosuch"], "Unexpected argument 'nosuch'"),
        ]
        for (arguments, message) in cases {
            let result = try runTool(bench, arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.output)")
            XCTAssertTrue(result.output.contains(message), "\(arguments): \(result.output)")
            XCTAssertFalse(result.output.contains("|"), "\(arguments) printed a table before rejecting: \(result.output)")
        }
    }

    func testHelpListsTheSubcommandsAndAGoodRunPrintsItsTable() throws {
        let help = try runTool(bench, ["--help"])
        XCTAssertEqual(help.status, 0, help.output)
        for subcommand in ["datasets", "store", "pipeline", "landscape", "core", "gemm", "peak", "engines"] {
            XCTAssertTrue(help.output.contains("  \(subcommand) "), "\(subcommand) missing from:\n\(help.output)")
        }
        let peak = try runTool(bench, ["peak"])
        XCTAssertEqual(peak.status, 0, peak.output)
        XCTAssertTrue(peak.output.contains("FMA peak, 256-bit vectors, one core"), peak.output)
    }
}
