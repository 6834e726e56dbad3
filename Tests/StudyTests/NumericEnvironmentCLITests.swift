// The numeric environment in the cache key, through the real executable: after a run with the CPU's own
// conv kernels, `BATCHLAB_CONV_KERNELS=openblas batchlab reproduce` trains again (other bits, another key)
// while the portable data stages stay cached, and switching back serves the first object again; MPI
// ranks that compute under another engine than their stage's key refuse to run.
import Foundation
import Tensor
import TestSupport
import XCTest

final class NumericEnvironmentCLITests: XCTestCase {
    let pipeline = """
        stages:
          data: {kind: generate, params: {count: 120, size: 16}}
          split: {kind: split, inputs: {data: data.images}}
          train:
            kind: train
            params: {batch_size: 16, lr: 0.05, max_epochs: 2, patience: 2, conv_widths: [4, 8], dense_widths: [8]}
            inputs: {data: data.images, split: split.split}
        """

    func testAnotherConvEngineRetrainsInsteadOfServingTheOtherEnginesObject() throws {
        let own = ConvEngine.allCases.first { $0.hasOwnKernels && $0.isAvailable }
        guard let own else { throw XCTSkip("this CPU has neither AVX-512 nor AVX2: OpenBLAS is the only conv engine") }
        let p = try CLIProject()
        try p.write("p.yaml", pipeline)
        p.environment["BATCHLAB_CONV_KERNELS"] = own.rawValue
        var r = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(summary(r), "3 executed, 0 cached, 0 failed", r.stderr)
        let fast = try Data(contentsOf: try p.object(stage: "train", output: "checkpoint"))

        let openBLAS = ["BATCHLAB_CONV_KERNELS": "openblas"]
        r = try p.run(["status", "-p", "p.yaml"], environment: openBLAS)
        XCTAssertTrue(r.stdout.contains("fresh  data\n") && r.stdout.contains("fresh  split\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("stale  train: numeric environment changed: conv_engine \(own.rawValue) → openblas, conv_version 2 → none "
                                        + "(floating-point kernels give other bits)\n"), r.stdout)
        r = try p.run(["reproduce", "p.yaml"], environment: openBLAS)
        XCTAssertEqual(summary(r), "1 executed, 2 cached, 0 failed", "train runs again; data and split are shared\n" + r.stdout)
        let slow = try Data(contentsOf: try p.object(stage: "train", output: "checkpoint"))
        XCTAssertNotEqual(slow, fast, "OpenBLAS adds in another order: the checkpoint's bits differ, under another key")
        let shown = try p.run("show", "train").stdout
        XCTAssertTrue(shown.contains("numeric:conv_engine"), "the index keeps the environment")
        XCTAssertFalse(shown.contains("numeric:conv_version"), "the openblas engine's keys have no own-kernel version")

        r = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(summary(r), "0 executed, 3 cached, 0 failed", "back on \(own.rawValue): its object is served\n" + r.stdout)
        XCTAssertEqual(try Data(contentsOf: try p.object(stage: "train", output: "checkpoint")), fast)
    }

    /// MPI ranks that compute under another engine than their stage's key (a node of another CPU kind;
    /// here mpirun sets BATCHLAB_CONV_KERNELS for the ranks only) refuse before any arithmetic.
    func testMPIRanksUnderAnotherEngineRefuseToRun() throws {
        guard let own = ConvEngine.allCases.first(where: { $0.hasOwnKernels && $0.isAvailable }) else {
            throw XCTSkip("this CPU has neither AVX-512 nor AVX2: OpenBLAS is the only conv engine")
        }
        let p = try CLIProject()
        try p.write("p.yaml", pipeline.replacingOccurrences(of: "dense_widths: [8]}", with: "dense_widths: [8], workers: 2}"))
        p.environment["BATCHLAB_CONV_KERNELS"] = own.rawValue
        let r = try p.run(["reproduce", "p.yaml"], environment: ["BATCHLAB_MPIRUN_ARGS": "-x BATCHLAB_CONV_KERNELS=openblas"])
        XCTAssertEqual(r.code, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("failed: train: its 2 MPI ranks failed; nothing was stored"), r.stdout)
        XCTAssertTrue(r.stdout.contains("stage train: its cache key was computed for the numeric environment ")
                      && r.stdout.contains("(conv_engine \(own.rawValue) → openblas, conv_version 2 → none)"), r.stdout)
        XCTAssertEqual(summary(r), "2 executed, 0 cached, 1 failed")
    }
}
