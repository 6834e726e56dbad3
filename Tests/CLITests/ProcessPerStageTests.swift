// Each stage body in its own process (the CLI's default executor), through the real executable: a
// stage that segfaults, aborts or is SIGKILLed fails alone with its signal and stderr; the objects
// are the bits the in-thread executor writes; stopping or killing the controller stops its children.
import Foundation
import TestSupport
import XCTest

final class ProcessPerStageTests: XCTestCase {
    func testACrashingStageFailsAloneWithItsSignalAndStderr() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", """
            stages:
              source: {kind: toy.source}
              segv: {kind: toy.crash, params: {how: segfault}}
              abrt: {kind: toy.crash, params: {how: abort}}
              oom: {kind: toy.crash, params: {how: kill}}
              slow: {kind: toy.sleep, params: {seconds: 1, steps: 2}, inputs: {values: source.values}}
              total: {kind: toy.sum, inputs: {values: slow.values}}
              after_crash: {kind: toy.sum, inputs: {values: segv.values}}
            """)
        let r = try p.run("reproduce", "p.yaml", "-j", "2", "--keep-going")
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertEqual(summary(r), "3 executed, 0 cached, 3 failed, 1 not run", r.stdout)
        XCTAssertTrue(r.stdout.contains("failed: segv: its process was killed by SIGSEGV (segmentation fault); its stderr ends with:\n"
                                        + "toy.crash: crashing by segfault as asked\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Program crashed"), "Swift's crash line is kept: " + r.stdout)
        XCTAssertTrue(r.stdout.contains("failed: abrt: its process was killed by SIGABRT"), r.stdout)
        XCTAssertTrue(r.stdout.contains("failed: oom: its process was killed by SIGKILL (out of memory?"), r.stdout)
        XCTAssertTrue(r.stdout.contains("not run: after_crash"), r.stdout)
        let show = try p.run("show", "segv").stdout
        XCTAssertTrue(show.contains("error     its process was killed by SIGSEGV"), show)
        // The stages that did not crash are stored and reusable.
        let again = try p.run("reproduce", "p.yaml", "-j", "2", "--keep-going")
        XCTAssertEqual(summary(again), "0 executed, 3 cached, 3 failed, 1 not run", again.stdout)
    }

    func testProcessesWriteTheBitsThreadsWrite() throws {
        let pipeline = try String(contentsOf: repositoryRoot.appendingPathComponent("pipelines/examples/toy.yaml"), encoding: .utf8)
            + """
              array:
                kind: toy.array
                matrix: {seed: [1, 2], noise: [0.0, 0.25]}

            """
        var stored: [String: [String]] = [:]
        for executor in ["threads", "local"] {
            let p = try CLIProject(toyStages: true)
            try p.write("p.yaml", pipeline)
            let r = try p.run("reproduce", "p.yaml", "--executor", executor)
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertEqual(summary(r), "12 executed, 0 cached, 0 failed", executor + ": " + r.stdout)
            stored[executor] = try p.objects().map { object in
                XCTAssertEqual(object.name, object.sha256)
                return object.name
            }.sorted()
            // The metrics come back from the receipt.
            XCTAssertTrue(try p.run("show", "total").stdout.contains("total"), executor)
        }
        XCTAssertEqual(stored["threads"]?.count, 12)
        XCTAssertEqual(stored["threads"], stored["local"])
    }

    func testBATCHLAB_EXECUTORAndThePipelineFileChooseTheExecutor() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", "executor: threads\nstages:\n  crash: {kind: toy.crash, params: {how: abort}}\n")
        // In threads, an abort takes the whole batchlab down: that is how we see which executor ran.
        let threads = try p.run("reproduce", "p.yaml")
        XCTAssertNotEqual(threads.code, 1, threads.stdout)
        XCTAssertFalse(threads.stdout.contains("failed: crash"), threads.stdout)
        let env = try p.run(["reproduce", "p.yaml"], environment: ["BATCHLAB_EXECUTOR": "local"])
        XCTAssertEqual(env.code, 1, env.stderr)
        XCTAssertTrue(env.stdout.contains("failed: crash: its process was killed by SIGABRT"), env.stdout)
        try p.write("bad.yaml", "executor: cluster\nstages:\n  s: {kind: toy.source}\n")
        let bad = try p.run("reproduce", "bad.yaml")
        XCTAssertEqual(bad.code, 2)
        XCTAssertTrue(bad.stderr.contains("bad.yaml:1:11: executor is cluster, which is not allowed: expected local, threads, slurm"),
                      bad.stderr)
    }

    func testSIGTERMAndKill9OfTheControllerStopItsStageProcesses() throws {
        for signal in [SIGTERM, SIGKILL] {
            let p = try CLIProject(toyStages: true)
            try p.write("p.yaml", """
                stages:
                  source: {kind: toy.source}
                  slow: {kind: toy.sleep, params: {seconds: 60, steps: 600}, inputs: {values: source.values}}
                """)
            let (process, _, err) = try p.start(["reproduce", "p.yaml"], tag: "slow")
            try p.waitFor("slow: step 1/600", in: err)
            XCTAssertEqual(p.stageProcesses().count, 1, "the body runs in its own process")
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            let deadline = Date().addingTimeInterval(6)
            while !p.stageProcesses().isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            XCTAssertEqual(p.stageProcesses(), [], "signal \(signal): the stage's process outlived the controller")
        }
    }
}
