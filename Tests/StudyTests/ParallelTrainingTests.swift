// Data-parallel `train` under mpirun (workers: N): N ranks give the 1-rank run within float
// tolerance (only the summation order differs), run as root, and fail clearly without mpirun or
// when a rank dies.
import Distributed
import Foundation
import NN
import Pipeline
import Store
@testable import Study
import TestSupport
import Tensor
@testable import Training
import XCTest

final class ParallelTrainingTests: XCTestCase {
    /// Batch 13 over 96 training images: uneven rank slices and a short last batch (5 images).
    static let tiny: [String: ParamValue] = [
        "batch_size": .int(13), "lr": .double(0.05), "max_epochs": .int(4), "patience": .int(4),
        "conv_widths": .list([.int(4), .int(8)]), "dense_widths": .list([.int(16)]),
    ]

    override func setUp() {
        // The in-process stage runs inside xctest: ranks must run the built batchlab instead.
        setenv(RankLauncher.executableVariable, batchlabURL.path, 1)
    }

    override func tearDown() {
        unsetenv(RankLauncher.executableVariable)
        unsetenv(RankLauncher.mpirunVariable)
    }

    func data(_ h: StageHarness) throws -> [String: URL] {
        let images = try h.run(GenerateStage.self, ["count": .int(120), "size": .int(16)]).output("images")
        return ["data": images, "split": try h.run(SplitStage.self, inputs: ["data": images]).output("split")]
    }

    struct Run {
        var thetaFinal: [Float], thetaMin: [Float], trainLoss: [Double], valLoss: [Double], norms: [Double]
        var metrics: [String: Double], measurements: [String: Double]

        init(_ context: StageContext) throws {
            let file = try HDF5File.open(context.output("checkpoint").path)
            defer { try? file.close() }
            thetaFinal = try file.read("/theta/final", as: Float.self).values
            thetaMin = try file.read("/theta/min", as: Float.self).values
            trainLoss = try file.read("/epochs/train_loss", as: Double.self).values
            valLoss = try file.read("/epochs/val_loss", as: Double.self).values
            norms = try file.read("/updates/norm", as: Double.self).values
            metrics = context.metrics
            measurements = context.measurements
        }
    }

    func train(_ h: StageHarness, _ inputs: [String: URL], workers: Int, threads: Int = 2) throws -> Run {
        var params = Self.tiny
        params["workers"] = .int(workers)
        return try Run(h.run(TrainStage.self, params, inputs: inputs, threads: threads))
    }

    /// Tolerance of N ranks vs 1 after 4 epochs (32 SGD steps at lr 0.05): float32 sums in another
    /// order differ by ~1 ulp per step; measured max |Δθ_final| here 6e-8 (2 ranks), 3e-8 (3 ranks).
    static let thetaTolerance = (atol: 1e-6, rtol: 1e-5)
    static let seriesTolerance = (atol: 1e-7, rtol: 1e-6)

    func testTwoAndThreeRanksMatchOneRank() throws {
        let h = try StageHarness()
        let inputs = try data(h)
        let one = try train(h, inputs, workers: 1)
        for workers in [2, 3] {
            let many = try train(h, inputs, workers: workers)
            let (ta, tr) = Self.thetaTolerance, (sa, sr) = Self.seriesTolerance
            for (label, a, e) in [("theta/final", many.thetaFinal, one.thetaFinal), ("theta/min", many.thetaMin, one.thetaMin)] {
                XCTAssertNil(Closeness.check(a, e, atol: ta, rtol: tr, label: "\(workers) ranks \(label)"))
            }
            XCTAssertNil(Closeness.check(many.trainLoss, one.trainLoss, atol: sa, rtol: sr, label: "\(workers) ranks train loss"))
            XCTAssertNil(Closeness.check(many.valLoss, one.valLoss, atol: sa, rtol: sr, label: "\(workers) ranks val loss"))
            XCTAssertNil(Closeness.check(many.norms, one.norms, atol: sa, rtol: sr, label: "\(workers) ranks update norms"))
            XCTAssertEqual(many.norms.count, 4 * 8, "8 steps per epoch (7 × 13 + 5)")
            XCTAssertEqual(many.metrics["epochs_run"], one.metrics["epochs_run"])
            XCTAssertEqual(many.metrics["epoch_min"], one.metrics["epoch_min"])
            XCTAssertEqual(many.measurements["workers"], Double(workers), "rank 0's measurements reach the stage")
            XCTAssertEqual(many.measurements["network_threads"], 1, "2 threads shared by \(workers) ranks → 1 each")
            XCTAssertNotNil(many.measurements["seconds_per_epoch"])
            let maxDiff = zip(many.thetaFinal, one.thetaFinal).map { abs(Double($0) - Double($1)) }.max()!
            print("\(workers) ranks vs 1: max |Δθ_final| = \(maxDiff)")
        }
        XCTAssertEqual(one.measurements["workers"], 1)
    }

    func testTwoRanksRerunBitIdentically() throws {
        let h = try StageHarness()
        let inputs = try data(h)
        var params = Self.tiny
        params["workers"] = .int(2)
        let a = try h.run(TrainStage.self, params, inputs: inputs, threads: 2).output("checkpoint")
        let b = try h.run(TrainStage.self, params, inputs: inputs, threads: 4).output("checkpoint")
        XCTAssertEqual(try Data(contentsOf: a), try Data(contentsOf: b), "same N → same bits (threads per rank 1 vs 2)")
    }

    func testRanksRelayProgressAndRunAsRoot() throws {
        let h = try StageHarness()
        let inputs = try data(h)
        var params = Self.tiny
        params["workers"] = .int(2)
        params["max_epochs"] = .int(2)
        let lines = LineCollector()
        let scratch = h.root.appendingPathComponent("progress")
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("out"), withIntermediateDirectories: true)
        var values: [String: ParamValue] = [:]
        for spec in TrainStage.parameters { if let d = spec.defaultValue { values[spec.name] = d } }
        for (k, v) in params { values[k] = v }
        let context = StageContext(instance: "train@workers=2", parameters: values, inputs: inputs.mapValues { [$0] },
                                   outputs: ["checkpoint": .hdf5], scratch: scratch, threads: 2,
                                   onProgress: { lines.append($0) })
        try TrainStage.run(context)
        XCTAssertEqual(lines.all.count, 2, "one progress line per epoch from rank 0 only: \(lines.all)")
        XCTAssertTrue(lines.all.first?.hasPrefix("epoch 1/2 loss") == true, "\(lines.all)")
        let stderr = try String(contentsOf: scratch.appendingPathComponent("ranks.stderr.txt"), encoding: .utf8)
        XCTAssertFalse(stderr.contains("allow-run-as-root"), stderr)
        if getuid() != 0 { throw XCTSkip("not root here: the launch above ran as uid \(getuid())") }
    }

    func testMissingMPIRunNamesTheStageAndThePackage() throws {
        let h = try StageHarness()
        let inputs = try data(h)
        setenv(RankLauncher.mpirunVariable, "/nonexistent/mpirun", 1)
        XCTAssertThrowsError(try train(h, inputs, workers: 2)) { error in
            guard case .mpiUnavailable(let stage, 2, _)? = error as? StudyError else { return XCTFail("\(error)") }
            XCTAssertEqual(stage, "train")
            let text = "\(error)"
            XCTAssertTrue(text.contains("openmpi-bin") && text.contains("workers: 1"), text)
        }
    }

    func testACrashingRankFailsTheStageWithItsStderr() throws {
        let h = try StageHarness()
        let inputs = try data(h)
        // A stand-in rank program: rank 1 dies with a message, rank 0 succeeds.
        let script = h.root.appendingPathComponent("fake-rank.sh")
        try Data("""
            #!/bin/sh
            if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then echo "rank one exploded: $1" >&2; exit 3; fi
            exit 0
            """.utf8).write(to: script)
        chmod(script.path, 0o755)
        setenv(RankLauncher.executableVariable, script.path, 1)
        XCTAssertThrowsError(try train(h, inputs, workers: 2)) { error in
            guard case .ranksFailed("train", 2, let detail)? = error as? StudyError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("rank one exploded: mpi-rank"), detail)
        }
    }

    func testRankErrorsArriveMarkedWithTheirRank() throws {
        let h = try StageHarness()
        let inputs = try data(h)
        var params = Self.tiny
        params["workers"] = .int(2)
        params["conv_widths"] = .list([.int(4), .int(8), .int(8), .int(8), .int(8)])  // 16 px cannot take 5 pools
        XCTAssertThrowsError(try h.run(TrainStage.self, params, inputs: inputs)) { error in
            guard case .ranksFailed(_, 2, let detail)? = error as? StudyError else { return XCTFail("\(error)") }
            // Usually both ranks report ("ranks 0, 1: …"); the first MPI_Abort may stop the other first.
            XCTAssertNotNil(detail.range(of: #"ranks? [01](, 1)?: train: parameter conv_widths"#, options: .regularExpression), detail)
            XCTAssertFalse(detail.contains("ORTE"), "mpirun's chatter is left out when the ranks said what failed: \(detail)")
        }
    }
}

final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
