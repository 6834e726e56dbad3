// The CLI says what is true (issue "Nothing good lost, nothing garbage kept", section 2), through
// the real executable: cached reruns diff as the same, `show` of a cached stage, gc's dry run and
// its guard, the pipeline file as -p or positional on every verb, failure text said once.
import Foundation
import TestSupport
import XCTest

final class HonestOutputTests: XCTestCase {
    let pipeline = """
        stages:
          arr: {kind: toy.array, params: {n: 50}}
          source: {kind: toy.source}
          total: {kind: toy.sum, inputs: {values: source.values}}
        """

    func testACachedRerunDiffsAsTheSameAndShowNamesTheProducer() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", pipeline)
        XCTAssertEqual(try p.run("reproduce", "p.yaml").code, 0)
        XCTAssertEqual(summary(try p.run("reproduce", "p.yaml")), "0 executed, 3 cached, 0 failed")
        var r = try p.run("diff", "1", "2")
        XCTAssertEqual(r.code, 0, r.stdout)
        XCTAssertEqual(r.stdout, "diff run 1 → run 2\n3 stages compared, 0 differ\n")

        r = try p.run("show", "arr")
        XCTAssertTrue(r.stdout.hasPrefix("arr (toy.array, code version 1), latest in run 2: cached, succeeded\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  produced  by run 1 ("), r.stdout)
        XCTAssertTrue(r.stdout.contains("  metric    mean = "), r.stdout)
        let hash = try XCTUnwrap(r.stdout.firstMatch(of: #/output    array → ([0-9a-f]{64}) /#)?.1)
        XCTAssertTrue(r.stdout.contains("            at artifacts/objects/\(hash.prefix(2))/\(hash)\n"), r.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.url.appendingPathComponent("artifacts/objects/\(hash.prefix(2))/\(hash)").path))
    }

    func testGCDryRunListsAndKeepingNoRunNeedsAll() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", pipeline)
        XCTAssertEqual(try p.run("reproduce", "p.yaml").code, 0)
        let before = try p.objects().map(\.name).sorted()
        XCTAssertEqual(before.count, 3)

        var r = try p.run("gc", "--keep-runs", "0")
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("--keep-runs 0 deletes every object; add --all"), r.stderr)
        XCTAssertEqual(try p.objects().map(\.name).sorted(), before)

        r = try p.run("gc", "--keep-runs", "0", "--dry-run")
        XCTAssertEqual(r.code, 0, r.stderr)
        for name in before { XCTAssertTrue(r.stdout.contains("would delete \(name)  "), r.stdout) }
        XCTAssertTrue(r.stdout.contains("  arr (run 1)\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("dry run: would keep 0 objects of the last 0 runs and delete 3 objects, freeing "),
                      r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix(" bytes); nothing was deleted\n"), r.stdout)
        XCTAssertEqual(try p.objects().map(\.name).sorted(), before, "a dry run deletes nothing")
        XCTAssertEqual(summary(try p.run("reproduce", "p.yaml")), "0 executed, 3 cached, 0 failed")

        r = try p.run("gc", "--keep-runs", "0", "--all")
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("kept 0 objects of the last 0 runs; deleted 3 objects"), r.stdout)
        XCTAssertEqual(try p.objects().count, 0)
    }

    func testThePipelineFileIsPositionalOrDashPOnEveryVerb() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", pipeline)
        XCTAssertEqual(summary(try p.run("reproduce", "-p", "p.yaml")), "3 executed, 0 cached, 0 failed")
        XCTAssertEqual(summary(try p.run("run", "p.yaml", "total")), "0 executed, 2 cached, 0 failed")
        XCTAssertEqual(summary(try p.run("run", "total", "--pipeline", "p.yaml")), "0 executed, 2 cached, 0 failed")
        XCTAssertEqual(try p.run("status", "p.yaml").stdout, try p.run("status", "-p", "p.yaml").stdout)
        XCTAssertTrue(try p.run("status", "p.yaml", "total").stdout.hasSuffix("2 fresh, 0 stale\n"))
        XCTAssertEqual(try p.run("dag", "p.yaml").stdout, try p.run("dag", "-p", "p.yaml").stdout)
        XCTAssertEqual(try p.run("verify", "p.yaml", "--rerun", "total").code, 0)
        let r = try p.run("reproduce", "p.yaml", "-p", "other.yaml")
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("two pipeline files given (-p other.yaml and p.yaml); give one"), r.stderr)
    }

    func testAFailureNamesItsStageOnce() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", "stages:\n  data: {kind: preprocess}\n")
        let r = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(r.code, 1)
        XCTAssertTrue(r.stdout.contains("\nfailed: data: no data folder given.\n"), r.stdout)
        XCTAssertFalse(r.stdout.contains("data: data:"), r.stdout)
        XCTAssertFalse(r.stderr.contains("data: data:"), r.stderr)
    }
}
