// Ctrl-C and SIGTERM of a running `reproduce`, through the real executable: nothing new starts, the
// run is marked interrupted with its real wall time, the output says what was kept and how to
// resume, the exit code is 128 + the signal, and the rerun finishes what is left.
import Foundation
import TestSupport
import XCTest

final class InterruptTests: XCTestCase {
    let pipeline = """
        stages:
          source: {kind: toy.source}
          quick: {kind: toy.source, params: {seed: 3}}
          slow: {kind: toy.sleep, params: {seconds: 6, steps: 60}, inputs: {values: source.values}}
          total: {kind: toy.sum, inputs: {values: [slow.values, quick.values]}}
        """

    func testSIGINTStopsTheRunAndTheRerunResumes() throws { try interrupt(with: SIGINT, name: "SIGINT") }

    func testSIGTERMStopsTheRunAndTheRerunResumes() throws { try interrupt(with: SIGTERM, name: "SIGTERM") }

    private func interrupt(with signal: Int32, name: String) throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", pipeline)
        let (process, out, err) = try p.start(["reproduce", "p.yaml", "-j", "1"], tag: "stopped")
        try p.waitFor("slow: step 1/60", in: err)
        let sent = Date()
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        let took = Date().timeIntervalSince(sent)

        XCTAssertEqual(process.terminationReason, .exit, "handled, not killed by the signal")
        XCTAssertEqual(process.terminationStatus, 128 + signal)
        XCTAssertLessThan(took, 4, "a body that never reaches a safe point is left after the grace period")
        let stdout = try String(contentsOf: out, encoding: .utf8), stderr = try String(contentsOf: err, encoding: .utf8)
        XCTAssertTrue(stdout.hasPrefix("2 executed, 0 cached, 0 failed, 1 interrupted, 1 not run in "), stdout)
        XCTAssertTrue(stdout.contains("\nkept: source, quick\n"), stdout)
        XCTAssertTrue(stdout.contains("\nstopped while running: slow "), stdout)
        XCTAssertTrue(stdout.contains("\nnot run: total\n"), stdout)
        XCTAssertTrue(stdout.hasSuffix("interrupted by \(name); resume with: batchlab reproduce p.yaml -j 1\n"), stdout)
        XCTAssertTrue(stderr.contains("\(name): stopping"), stderr)
        XCTAssertFalse(stderr.contains("start   total"), "nothing starts after the signal: " + stderr)
        for object in try p.objects() { XCTAssertEqual(object.name, object.sha256) }

        // The index says interrupted at once (not `running` until the next command), with the run's
        // own wall time, not the idle time until someone looks.
        let runs = try p.run("runs").stdout
        XCTAssertTrue(runs.contains("interrupted"), runs)
        XCTAssertFalse(runs.contains("running"), runs)
        Thread.sleep(forTimeInterval: 1.5)
        let show = try p.run("show", "1").stdout
        let wall = show.firstMatch(of: #/wall ([0-9.]+) s/#).flatMap { Double($0.1) }
        XCTAssertNotNil(wall, show)
        XCTAssertLessThan(wall ?? 99, took + 2.5, show)
        // The stopped stage is in the index as interrupted, with the signal as its reason.
        XCTAssertNotNil(show.firstMatch(of: #/\n\s*slow\s+executed\s+interrupted\s/#), show)
        let slow = try p.run("show", "slow").stdout
        XCTAssertTrue(slow.contains("latest in run 1: executed, interrupted\n"), slow)
        XCTAssertTrue(slow.contains("  reason    interrupted by \(name); it did not reach a safe point within "), slow)
        let status = try p.run("status", "p.yaml").stdout
        XCTAssertTrue(status.contains("interrupted by \(name);"), status)

        let r = try p.run("reproduce", "p.yaml", "-j", "1")
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(summary(r), "2 executed, 2 cached, 0 failed")
        XCTAssertEqual(try p.run("verify").code, 0)
    }

    func testAKilledRunEndsWhenItsLastStageDidNotWhenNoticed() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", pipeline)
        let (process, _, err) = try p.start(["reproduce", "p.yaml", "-j", "1"], tag: "killed")
        try p.waitFor("slow: step 1/60", in: err)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 3)  // idle time that must not count as the run's
        XCTAssertEqual(try p.run("reproduce", "p.yaml", "-j", "1").code, 0)
        let show = try p.run("show", "1").stdout
        XCTAssertTrue(show.hasPrefix("run 1: interrupted"), show)
        let wall = show.firstMatch(of: #/wall ([0-9.]+) s/#).flatMap { Double($0.1) }
        XCTAssertLessThan(wall ?? 99, 2, show)
    }
}
