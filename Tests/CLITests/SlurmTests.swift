// The Slurm executor on a real single-node Slurm (`make test` starts one with scripts/slurm-cluster.sh
// and stops it afterwards), through the real executable: the same objects as the local executor, a
// fan-out as one job array, a failing job's error in `show`, a job killed under Slurm retried,
// Ctrl-C cancelling the jobs, and a rerun after `kill -9` of the controller re-attaching to its jobs
// instead of submitting them again. Without a cluster (no root) every test skips and says why.
import Foundation
import TestSupport
import XCTest

final class SlurmTests: XCTestCase {
    override func setUpWithError() throws {
        let status = Process()
        status.executableURL = repositoryRoot.appendingPathComponent("scripts/slurm-cluster.sh")
        status.arguments = ["status"]
        status.standardOutput = FileHandle.nullDevice
        status.standardError = FileHandle.nullDevice
        try status.run()
        status.waitUntilExit()
        guard status.terminationStatus == 0 else {
            throw XCTSkip("no Slurm cluster answers here: `make test` starts one (scripts/slurm-cluster.sh start; needs root)")
        }
    }

    private func project() throws -> CLIProject {
        let p = try CLIProject(pipelines: true, toyStages: true)
        p.environment["BATCHLAB_SLURM_POLL"] = "0.3"
        p.environment["BATCHLAB_SLURM_LATENCY_WAIT"] = "1"
        p.environment["BATCHLAB_EXECUTOR"] = "slurm"
        return p
    }

    func testTheExamplePipelineGivesTheLocalObjectsAndAFanOutIsOneJobArray() throws {
        var stored: [String: [String]] = [:]
        for executor in ["local", "slurm"] {
            let p = try project()
            let r = try p.run("reproduce", "pipelines/examples/toy.yaml", "--executor", executor)
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertEqual(summary(r), "8 executed, 0 cached, 0 failed", executor + ": " + r.stdout + r.stderr)
            stored[executor] = try p.objects().map(\.name).sorted()
            if executor == "slurm" {
                // scaled's four instances: one submission, tasks _0 to _3 of one array.
                let ids = r.stderr.matches(of: #/scaled@[^:\n]+: submitted as Slurm job ([0-9]+)_([0-3])/#)
                XCTAssertEqual(ids.count, 4, r.stderr)
                XCTAssertEqual(Set(ids.map { String($0.1) }).count, 1, "one array: " + r.stderr)
                XCTAssertEqual(Set(ids.map { String($0.2) }), ["0", "1", "2", "3"], r.stderr)
                let again = try p.run("reproduce", "pipelines/examples/toy.yaml")
                XCTAssertEqual(summary(again), "0 executed, 8 cached, 0 failed", "cached runs start no job: " + again.stdout)
                XCTAssertFalse(again.stderr.contains("submitted"), again.stderr)
            }
        }
        XCTAssertEqual(stored["local"]?.count, 8)
        XCTAssertEqual(stored["local"], stored["slurm"])
    }

    func testAFailingJobsErrorReachesShowAndIsNotRetried() throws {
        let p = try project()
        try p.write("p.yaml", """
            stages:
              fails: {kind: toy.fail, retries: 2, params: {message: "the stage's own error"}}
              crashes: {kind: toy.crash, retries: 2, params: {how: segfault}}
            """)
        let r = try p.run("reproduce", "p.yaml", "--keep-going")
        XCTAssertEqual(r.code, 1)
        XCTAssertEqual(summary(r), "0 executed, 0 cached, 2 failed", r.stdout)
        XCTAssertFalse(r.stderr.contains("retry"), "a stage's own error is not retried: " + r.stderr)
        XCTAssertTrue(try p.run("show", "fails").stdout.contains("error     the stage's own error"))
        let crash = try p.run("show", "crashes").stdout
        XCTAssertTrue(crash.contains("error     its process ended FAILED as Slurm job "), crash)
        XCTAssertTrue(crash.contains("was killed by SIGSEGV (segmentation fault); its stderr ends with:\ntoy.crash: crashing by segfault"), crash)
    }

    func testAJobKilledUnderSlurmIsRetriedAndSucceeds() throws {
        let p = try project()
        try p.write("p.yaml", """
            stages:
              source: {kind: toy.source}
              slow: {kind: toy.sleep, retries: 1, params: {seconds: 4, steps: 8}, inputs: {values: source.values}}
            """)
        let (process, out, err) = try p.start(["reproduce", "p.yaml"], tag: "retried")
        try p.waitFor("slow: submitted as Slurm job", in: err)
        // The node "fails" under the job: its stage process is killed from outside (as the OOM killer
        // or a dying node would), so it leaves no receipt.
        var killed = false
        for _ in 0..<100 where !killed {
            if let pid = p.stageProcesses().first { killed = kill(pid, SIGKILL) == 0 } else { Thread.sleep(forTimeInterval: 0.1) }
        }
        XCTAssertTrue(killed, "found the job's stage process")
        process.waitUntilExit()
        let stdout = try String(contentsOf: out, encoding: .utf8), stderr = try String(contentsOf: err, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 0, stdout + stderr)
        XCTAssertTrue(stderr.contains("was killed by SIGKILL"), stderr)
        XCTAssertTrue(stderr.contains("; retry 1 of 1"), stderr)
        XCTAssertTrue(stderr.contains("(attempt 2)"), stderr)
        XCTAssertTrue(stdout.hasPrefix("2 executed, 0 cached, 0 failed"), stdout)
    }

    func testCtrlCCancelsTheJobs() throws {
        let p = try project()
        try p.write("p.yaml", """
            stages:
              source: {kind: toy.source}
              slow: {kind: toy.sleep, matrix: {seconds: [60, 61]}, inputs: {values: source.values}}
            """)
        let (process, out, err) = try p.start(["reproduce", "p.yaml"], tag: "cancelled")
        try p.waitFor("slow@seconds=61.0: submitted as Slurm job", in: err)
        let ids = try String(contentsOf: err, encoding: .utf8).matches(of: #/slow@[^:\n]+: submitted as Slurm job ([0-9_]+)/#).map { String($0.1) }
        XCTAssertEqual(ids.count, 2)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let stdout = try String(contentsOf: out, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 130, stdout)
        for id in ids {
            let state = try squeue(id)
            XCTAssertTrue(state.hasPrefix("CANCELLED") || state == "", "job \(id) is \(state)")
        }
        XCTAssertTrue(stdout.contains("stopped while running: slow@seconds=60.0, slow@seconds=61.0"), stdout)
    }

    func testAfterKill9TheRerunReattachesAndSubmitsNothingFinishedAgain() throws {
        let p = try project()
        try p.write("p.yaml", """
            stages:
              source: {kind: toy.source}
              slow: {kind: toy.sleep, matrix: {seconds: [1, 5]}, inputs: {values: source.values}}
              total: {kind: toy.sum, inputs: {values: slow.values}}
            """)
        let (process, _, err) = try p.start(["reproduce", "p.yaml"], tag: "killed")
        try p.waitFor("slow@seconds=5.0: submitted as Slurm job", in: err)
        let first = try String(contentsOf: err, encoding: .utf8)
        let ids = first.matches(of: #/slow@[^:\n]+: submitted as Slurm job ([0-9_]+)/#).map { String($0.1) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // The short job finishes while no controller watches; the long one is still running.
        let deadline = Date().addingTimeInterval(20)
        while try squeue(ids[0]) != "COMPLETED", Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        XCTAssertEqual(try squeue(ids[1]), "RUNNING")

        let r = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(summary(r), "3 executed, 1 cached, 0 failed", r.stdout)
        XCTAssertTrue(r.stderr.contains("slow@seconds=1.0: adopted the outputs of a Slurm job that finished meanwhile"), r.stderr)
        XCTAssertTrue(r.stderr.contains("slow@seconds=5.0: re-attached to Slurm job \(ids[1]) (RUNNING)"), r.stderr)
        XCTAssertFalse(r.stderr.contains("slow@seconds=1.0: submitted"), r.stderr)
        XCTAssertFalse(r.stderr.contains("slow@seconds=5.0: submitted"), r.stderr)
        XCTAssertTrue(r.stderr.contains("total: submitted as Slurm job"), r.stderr)
        XCTAssertEqual(try p.run("verify").code, 0)
    }

    func testAnMPIStageGetsAnNTaskAllocationAndTheLocalBits() throws {
        let pipeline = """
            stages:
              data: {kind: generate, params: {count: 120, size: 16}}
              split: {kind: split, inputs: {data: data.images}}
              train:
                kind: train
                params: {batch_size: 16, lr: 0.05, max_epochs: 2, conv_widths: [4, 8], dense_widths: [16], workers: 2}
                inputs: {data: data.images, split: split.split}
            """
        var stored: [String: [String]] = [:]
        for executor in ["local", "slurm"] {
            let p = try project()
            try p.write("tiny.yaml", pipeline)
            let r = try p.run("reproduce", "tiny.yaml", "--executor", executor)
            XCTAssertEqual(summary(r), "3 executed, 0 cached, 0 failed", executor + ": " + r.stdout + r.stderr)
            stored[executor] = try p.objects().map(\.name).sorted()
            XCTAssertTrue(try p.run("show", "train").stdout.contains("measured  workers = 2.0"))
            if executor == "slurm" {
                let id = try XCTUnwrap(r.stderr.firstMatch(of: #/train: submitted as Slurm job ([0-9]+)/#)).1
                let job = try XCTUnwrap(Self.output("/usr/bin/scontrol", ["show", "job", String(id), "-o"]))
                XCTAssertTrue(job.contains(" NumTasks=2 "), "workers: 2 is a 2-task allocation: " + job)
            }
        }
        XCTAssertEqual(stored["local"]?.count, 3)
        XCTAssertEqual(stored["local"], stored["slurm"], "mpirun inside the allocation writes the local bits")
    }

    // MARK: - Helpers

    static func output(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }

    /// squeue's state of a job or array task ("" when squeue no longer knows it).
    private func squeue(_ id: String) throws -> String {
        let text = try Self.output("/usr/bin/squeue", ["-h", "-t", "all", "-r", "-j", String(id.split(separator: "_")[0]), "-o", "%i %T"])
        return text.split(separator: "\n").first { $0.hasPrefix(id + " ") }.map { String($0.split(separator: " ")[1]) } ?? ""
    }
}
