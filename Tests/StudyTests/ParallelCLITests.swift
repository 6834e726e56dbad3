// `batchlab reproduce` with `workers: 2` in the pipeline file: a clear error without mpirun, a
// crashing rank fails the stage with nothing stored, the same pipeline then runs under MPI, and a
// kill -9 of batchlab stops its ranks and resumes bit-identically.
import Foundation
import TestSupport
import XCTest

final class ParallelCLITests: XCTestCase {
    static let pipeline = """
        description: tiny data-parallel training
        stages:
          data:
            kind: generate
            params: {count: 120, size: 16}
          split:
            kind: split
            inputs: {data: data.images}
          train:
            kind: train
            params: {batch_size: 16, lr: 0.05, max_epochs: 2, conv_widths: [4, 8], dense_widths: [16], workers: 2}
            inputs: {data: data.images, split: split.split}
        """

    func objectCount(_ project: CLIProject) -> Int {
        let objects = project.artifacts.appendingPathComponent("objects")
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: objects.path)) ?? []
        return folders.reduce(0) { $0 + ((try? FileManager.default.contentsOfDirectory(atPath: objects.appendingPathComponent($1).path))?.count ?? 0) }
    }

    func testWithoutMPIRunThenWithACrashingRankThenUnderMPI() throws {
        let project = try CLIProject(pipelines: true)
        try project.write("tiny.yaml", Self.pipeline)

        let noMPI = try project.run(["reproduce", "tiny.yaml"], environment: ["PATH": "/nonexistent-bin"])
        XCTAssertEqual(noMPI.code, 1, noMPI.stderr)
        XCTAssertTrue(noMPI.stdout.contains("train: workers = 2 runs the stage as MPI ranks, but mpirun not found"), noMPI.stdout)
        XCTAssertTrue(noMPI.stdout.contains("apt-get install openmpi-bin"), noMPI.stdout)
        XCTAssertEqual(objectCount(project), 3, "data (images and test) and split only")

        let script = project.url.appendingPathComponent("fake-rank.sh")
        try Data("""
            #!/bin/sh
            if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then echo "rank one segfaulted" >&2; kill -SEGV $$; fi
            echo garbage > "$(dirname "$2")/out/checkpoint.h5"
            """.utf8).write(to: script)
        chmod(script.path, 0o755)
        let crashed = try project.run(["reproduce", "tiny.yaml"], environment: ["BATCHLAB_RANK_EXECUTABLE": script.path])
        XCTAssertEqual(crashed.code, 1)
        XCTAssertTrue(crashed.stdout.contains("train: its 2 MPI ranks failed; nothing was stored"), crashed.stdout)
        XCTAssertTrue(crashed.stdout.contains("rank one segfaulted"), crashed.stdout)
        XCTAssertEqual(objectCount(project), 3, "rank 0's half-written checkpoint never reaches the store")

        let ok = try project.run("reproduce", "tiny.yaml")
        XCTAssertEqual(ok.code, 0, ok.stdout + ok.stderr)
        XCTAssertTrue(ok.stderr.contains("train: epoch 1/2 loss"), "rank 0's progress is relayed: \(ok.stderr)")
        XCTAssertEqual(objectCount(project), 4)
        let shown = try project.run("show", "train")
        XCTAssertTrue(shown.stdout.contains("measured  workers = 2.0"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("param     workers = 2"), shown.stdout)
        let help = try project.run("--help")
        XCTAssertFalse(help.stdout.contains("mpi-rank"), "the rank command is hidden: \(help.stdout)")
    }

    // MARK: - kill -9 of the launcher

    static let longer = """
        stages:
          data: {kind: generate, params: {count: 400, size: 16}}
          split: {kind: split, inputs: {data: data.images}}
          train:
            kind: train
            params: {batch_size: 8, lr: 0.02, max_epochs: 12, patience: 12, conv_widths: [4, 8], dense_widths: [16], workers: 2}
            inputs: {data: data.images, split: split.split}
        """

    /// Processes (mpirun, ranks) whose command line mentions the project folder.
    func processes(of project: CLIProject) -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return pids.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return line.contains(project.url.path) ? "\(pid): \(line)" : nil
        }
    }

    func testKillingBatchlabStopsItsRanksAndTheRerunResumesBitIdentically() throws {
        try KillAndResume(pipeline: Self.longer, stage: "train", output: "checkpoint", resumeFile: "train-state.h5",
                          rerunSummary: "1 executed, 2 cached", resumed: "measured  resumed_after_epoch = ")
            .assertResumesBitIdentically(afterKill: { p in
                let gone = Date().addingTimeInterval(15)
                while !self.processes(of: p).isEmpty && Date() < gone { Thread.sleep(forTimeInterval: 0.1) }
                XCTAssertEqual(self.processes(of: p), [], "mpirun and the ranks stop when batchlab is killed")
            })
    }
}
