// Every verb through the real executable on toy pipelines: output, caching, exit codes.
import Foundation
import TestSupport
import XCTest

final class CLIVerbTests: XCTestCase {
    let toy = """
        stages:
          source: {kind: toy.source, params: {n: 5, seed: 7}}
          scaled: {kind: toy.source, matrix: {scale: [0.5, 2.0]}}
          total: {kind: toy.sum, inputs: {values: [source.values, scaled.values]}}
        """

    func testReproduceCachesThenStatusExplains() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("pipelines/study.yaml", toy)  // the default pipeline file
        var r = try p.run("reproduce")
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(summary(r), "4 executed, 0 cached, 0 failed")
        r = try p.run("reproduce")
        XCTAssertEqual(summary(r), "0 executed, 4 cached, 0 failed")
        r = try p.run("status")
        XCTAssertEqual(r.stdout, """
            fresh  source
            fresh  scaled@scale=0.5
            fresh  scaled@scale=2.0
            fresh  total
            4 fresh, 0 stale

            """)
        r = try p.run("status", "--set", "scaled.n=3", "--set", "total.offset=1")
        XCTAssertEqual(r.stdout, """
            fresh  source
            stale  scaled@scale=0.5: parameter n changed 4 → 3
            stale  scaled@scale=2.0: parameter n changed 4 → 3
            stale  total: upstream stale: scaled@scale=0.5, scaled@scale=2.0; parameter offset changed 0.0 → 1.0
            1 fresh, 3 stale

            """)
        // --set applies to one run only; the file is unchanged, so the next plain reproduce is cached again.
        r = try p.run("reproduce", "--set", "total.offset=1")
        XCTAssertEqual(summary(r), "1 executed, 3 cached, 0 failed")
        r = try p.run("status")
        XCTAssertTrue(r.stdout.contains("fresh  total"), "the offset 0 result is still cached: " + r.stdout)
    }

    /// The toy kinds are engine test fixtures: without BATCHLAB_TOY_STAGES=1 the CLI does not know them.
    func testToyKindsExistOnlyForTests() throws {
        let p = try CLIProject(toyStages: false)
        try p.write("p.yaml", toy)
        let r = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(r.code, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("unknown stage kind 'toy.source'"), r.stderr)
        XCTAssertFalse(r.stderr.contains("toy.sum"), "no toy kind among the known kinds: \(r.stderr)")
    }

    /// A value outside its declared range is a pipeline-file error: exit 2, its location, what is allowed.
    func testOutOfRangeParameterIsAUsageError() throws {
        let p = try CLIProject()
        try p.write("p.yaml", "stages:\n  data: {kind: generate, params: {count: -5}}\n")
        let r = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(r.code, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("p.yaml:2:42: parameter 'count' of stage 'data' is -5, which is not allowed: "
                                        + "expected an integer ≥ 1"), r.stderr)
    }

    func testRunGroupsForceAndDownstream() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", toy)
        var r = try p.run("run", "scaled", "-p", "p.yaml")
        XCTAssertEqual(summary(r), "2 executed, 0 cached, 0 failed")
        r = try p.run("run", "total", "-p", "p.yaml")
        XCTAssertEqual(summary(r), "2 executed, 2 cached, 0 failed")
        r = try p.run("run", "scaled@scale=2.0", "--force", "-p", "p.yaml")
        XCTAssertEqual(summary(r), "1 executed, 0 cached, 0 failed")
        r = try p.run("run", "scaled@scale=2.0", "--force", "--downstream", "-p", "p.yaml")
        XCTAssertEqual(summary(r), "2 executed, 2 cached, 0 failed")
        r = try p.run("run", "scaled@scale=3.0", "-p", "p.yaml")
        XCTAssertEqual(r.code, 2)
        XCTAssertEqual(r.stderr, "error: unknown stage 'scaled@scale=3.0' (did you mean 'scaled@scale=2.0'?)\n"
                       + "  see `batchlab dag` for all stages\n")
    }

    func testFailureStopsDependentsAndKeepGoingContinues() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", """
            stages:
              bad: {kind: toy.fail, params: {message: "the toy failed on purpose"}}
              after: {kind: toy.sum, inputs: {values: bad.values}}
              other: {kind: toy.source}
            """)
        var r = try p.run("reproduce", "p.yaml", "--jobs", "1")
        XCTAssertEqual(r.code, 1)
        XCTAssertEqual(summary(r), "0 executed, 0 cached, 1 failed, 2 not run")
        XCTAssertTrue(r.stdout.hasSuffix("\nfailed: bad: the toy failed on purpose\nnot run: after, other\n"), r.stdout)
        r = try p.run("reproduce", "p.yaml", "--jobs", "1", "--keep-going")
        XCTAssertEqual(r.code, 1)
        XCTAssertEqual(summary(r), "1 executed, 0 cached, 1 failed, 1 not run")
        XCTAssertTrue(r.stdout.contains("not run: after\n"), r.stdout)
        XCTAssertTrue(r.stderr.contains("skipped after (bad did not finish)"), r.stderr)
        r = try p.run("status", "-p", "p.yaml")
        XCTAssertTrue(r.stdout.contains("stale  bad: failed last time: the toy failed on purpose"), r.stdout)
        r = try p.run("show", "bad")
        XCTAssertTrue(r.stdout.contains("error     the toy failed on purpose"), r.stdout)
    }

    func testUsageErrorsExitTwo() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", toy)
        for arguments in [["run", "-p", "p.yaml"], ["reproduce", "--jobs", "0", "p.yaml"], ["frobnicate"],
                          ["status", "-p", "missing.yaml"], ["status", "-p", "p.yaml", "--set", "total.offset=abc"],
                          ["show", "99"]] {
            let r = try p.run(arguments)
            XCTAssertEqual(r.code, 2, "\(arguments): \(r.stderr)")
            XCTAssertFalse(r.stderr.isEmpty)
        }
        XCTAssertEqual(try p.run("status", "-p", "missing.yaml").stderr,
                       "error: \(p.url.path)/missing.yaml: cannot read the pipeline file: no such file\n")
    }

    func testDagFormats() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", toy)
        XCTAssertEqual(try p.run("dag", "-p", "p.yaml").stdout, """
            source (toy.source)
            scaled@scale=0.5 (toy.source)
            scaled@scale=2.0 (toy.source)
            total (toy.sum) ← source, scaled@scale=0.5, scaled@scale=2.0

            """)
        let dot = try p.run("dag", "--dot", "-p", "p.yaml").stdout
        XCTAssertTrue(dot.hasPrefix("digraph pipeline {"))
        XCTAssertTrue(dot.contains("  n0 -> n3 [label=\"values\"];"), dot)
        let mermaid = try p.run("dag", "--mermaid", "-p", "p.yaml").stdout
        XCTAssertTrue(mermaid.contains("  n2 -->|\"values\"| n3"), mermaid)
    }

    func testRunsShowAndDiffOfHDF5Outputs() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", """
            stages:
              arr: {kind: toy.array, params: {n: 100}}
              other: {kind: toy.source}
            """)
        XCTAssertEqual(try p.run("reproduce", "p.yaml").code, 0)
        XCTAssertEqual(try p.run("reproduce", "p.yaml", "--set", "arr.noise=1e-9").code, 0)
        XCTAssertEqual(try p.run("reproduce", "p.yaml", "--set", "arr.noise=0.5").code, 0)
        let runs = try p.run("runs").stdout
        XCTAssertEqual(runs.split(separator: "\n").count, 4, runs)
        XCTAssertTrue(runs.hasPrefix("RUN  STARTED (UTC)"), runs)

        var r = try p.run("diff", "1", "2")
        XCTAssertEqual(r.code, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("arr: different\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  param   noise: 0.0 → 1e-09\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  metric  mean: "), r.stdout)
        XCTAssertTrue(r.stdout.contains("2 stages compared, 1 differ"), r.stdout)
        r = try p.run("diff", "1", "1")
        XCTAssertEqual(r.code, 0)
        XCTAssertEqual(r.stdout, "diff run 1 → run 1\n2 stages compared, 0 differ\n")

        // Within tolerance the HDF5 contents are the same, but the parameter still differs.
        r = try p.run("diff", "1", "2", "arr", "--atol", "1e-6", "--json")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let stage = (json["stages"] as! [[String: Any]])[0]
        let output = (stage["outputs"] as! [[String: Any]])[0]
        let comparison = output["comparison"] as! [String: Any]
        XCTAssertEqual(comparison["kind"] as? String, "hdf5")
        XCTAssertEqual(comparison["isSame"] as? Bool, true)
        XCTAssertEqual(json["same"] as? Bool, false)
        XCTAssertEqual(r.code, 1)

        r = try p.run("diff", "1", "3", "arr")
        XCTAssertEqual(r.code, 1)
        XCTAssertTrue(r.stdout.contains("/x"), r.stdout)

        r = try p.run("show", "arr")
        XCTAssertTrue(r.stdout.contains("output    array → "), r.stdout)
        XCTAssertTrue(r.stdout.contains("application/x-hdf5"), r.stdout)
        r = try p.run("show", "2")
        XCTAssertTrue(r.stdout.contains("--set     arr.noise=1e-9"), r.stdout)
    }

    func testGCFreesObjectsOfOldRuns() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", "stages:\n  arr: {kind: toy.array, params: {n: 5000}}\n")
        XCTAssertEqual(try p.run("reproduce", "p.yaml", "--set", "arr.seed=2").code, 0)
        XCTAssertEqual(try p.run("reproduce", "p.yaml").code, 0)
        XCTAssertEqual(try p.objects().count, 2)
        var r = try p.run("gc", "--keep-runs", "1")
        XCTAssertEqual(r.code, 0)
        XCTAssertTrue(r.stdout.hasPrefix("kept 1 objects of the last 1 runs; deleted 1 objects, freed "), r.stdout)
        XCTAssertEqual(try p.objects().count, 1)
        r = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(summary(r), "0 executed, 1 cached, 0 failed")
        r = try p.run("reproduce", "p.yaml", "--set", "arr.seed=2")
        XCTAssertEqual(summary(r), "1 executed, 0 cached, 0 failed", "the collected object is rebuilt")
    }

    func testVerifyRerunProvesBitIdentity() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", toy.replacingOccurrences(of: "stages:", with: "stages:\n  arr: {kind: toy.array}"))
        XCTAssertEqual(try p.run("reproduce", "p.yaml").code, 0)
        let r = try p.run("verify", "--rerun", "total", "--rerun", "arr", "-p", "p.yaml")
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("total: rerun in "), r.stdout)
        XCTAssertTrue(r.stdout.contains("outputs bit-identical to the cached ones\n  total: bit-identical ("), r.stdout)
        XCTAssertTrue(r.stdout.contains("  array: bit-identical ("), r.stdout)
        let stale = try p.run("verify", "--rerun", "total", "-p", "p.yaml", "--set", "source.n=2")
        XCTAssertEqual(stale.code, 1)
        XCTAssertTrue(stale.stderr.contains("total has no fresh cached result to compare with"), stale.stderr)
    }
}
