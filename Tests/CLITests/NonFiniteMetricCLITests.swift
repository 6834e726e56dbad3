// A stage whose metric is NaN (a diverged loss) succeeds and its metric is kept, with a stage in its
// own process (the receipt's JSON) and on a thread (straight into the index); before, the receipt
// could not be written and the index refused the row (`NOT NULL constraint failed: metric.value`).
import Foundation
import TestSupport
import XCTest

final class NonFiniteMetricCLITests: XCTestCase {
    /// 4 numbers near 1e308 sum to +inf; times 0 is NaN: `total`'s metric and output are NaN.
    let pipeline = """
        stages:
          source: {kind: toy.source, params: {scale: 1.0e308}}
          total: {kind: toy.sum, params: {scale: 0}, inputs: {values: source.values}}
          big: {kind: toy.sum, inputs: {values: source.values}}
        """

    func testNaNAndInfiniteMetricsAreRecordedUnderEveryLocalExecutor() throws {
        for executor in ["local", "threads"] {
            let p = try CLIProject(toyStages: true)
            try p.write("p.yaml", pipeline)
            var r = try p.run("reproduce", "p.yaml", "--executor", executor)
            XCTAssertEqual(r.code, 0, executor + ": " + r.stdout + r.stderr)
            XCTAssertEqual(summary(r), "3 executed, 0 cached, 0 failed", executor)
            XCTAssertTrue(try p.run("show", "total").stdout.contains("  metric    total = nan\n"), executor)
            XCTAssertTrue(try p.run("show", "big").stdout.contains("  metric    total = inf\n"), executor)
            r = try p.run("reproduce", "p.yaml", "--executor", executor)
            XCTAssertEqual(summary(r), "0 executed, 3 cached, 0 failed", executor)
        }
    }
}
