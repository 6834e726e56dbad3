// The landscape grid and stage: PyTorch's losses on a non-square grid (committed fixture), the
// output layout and index order, bit-identical resumed and 2-thread runs, and typed errors.
import Foundation
@testable import Landscape
import NN
import Pipeline
import Store
@testable import Study
import Tensor
import TestSupport
@testable import Training
import XCTest

final class LandscapeTests: XCTestCase {
    /// A 3×2 grid evaluated by PyTorch at θ + (a·δ + b·η): loss[i][j] at (x[i], y[j]).
    func testGridMatchesPyTorchOnANonSquareGrid() throws {
        let f = try LandscapeFixture.load()
        let model = try Model(f.spec.modelSpec)
        let data = TrainingData(images: f.images.map { Float($0) }, labels: f.labels.map { Float($0) })
        let evaluator = GridEvaluator(model: model, theta: f.theta.map { Float($0) }, dx: f.dirX.map { Float($0) },
                                      dy: f.dirY.map { Float($0) }, data: data, threads: 1)
        let axes = GridAxes(x: f.xcoordinates, y: f.ycoordinates)
        var results = GridResults(pointCount: axes.pointCount)
        // In reverse: the order points are computed in must not matter.
        try evaluator.compute(Array((0..<axes.pointCount).reversed()), axes: axes, into: &results)
        XCTAssertEqual(results.completed, 6)
        XCTAssertNil(Closeness.check(results.loss, f.loss.flatMap { $0 }, atol: 1e-5, rtol: 1e-5, label: "train_loss vs PyTorch"))
        XCTAssertNil(Closeness.check(results.accuracy, f.accuracy.flatMap { $0 }, atol: 1e-6, rtol: 0, label: "train_acc vs PyTorch"))
    }

    func testLinspace() {
        XCTAssertEqual(GridAxes.linspace(-1, 1, count: 5), [-1, -0.5, 0, 0.5, 1])
        XCTAssertEqual(GridAxes.linspace(2, 3, count: 1), [2])
        let a = GridAxes.linspace(-1, 1, count: 21)
        XCTAssertEqual(a.count, 21)
        XCTAssertEqual(a[10], 0)
        XCTAssertEqual(a.last, 1)
    }

    // MARK: - The stage

    static let tinyTrain: [String: ParamValue] = [
        "batch_size": .int(16), "lr": .double(0.05), "max_epochs": .int(2), "patience": .int(4),
        "conv_widths": .list([.int(4), .int(8)]), "dense_widths": .list([.int(16)]),
    ]
    static let grid: [String: ParamValue] = [
        "batch_size": .int(16), "lr": .double(0.05), "x_count": .int(5), "y_count": .int(3),
        "y_min": .double(-0.5), "y_max": .double(0.25), "train_subset": .int(40), "direction_seed": .int(7),
    ]

    /// A generated 16×16 set, its split and a 2-epoch training run.
    func inputs(_ h: StageHarness) throws -> [String: URL] {
        let images = try h.run(GenerateStage.self, ["count": .int(120), "size": .int(16)]).output("images")
        let split = try h.run(SplitStage.self, inputs: ["data": images]).output("split")
        let checkpoint = try h.run(TrainStage.self, Self.tinyTrain, inputs: ["data": images, "split": split]).output("checkpoint")
        return ["data": images, "split": split, "checkpoint": checkpoint]
    }

    func testNonSquareGridLayoutAndIndexOrder() throws {
        let h = try StageHarness()
        let inputs = try inputs(h)
        let context = try h.run(LandscapeStage.self, Self.grid, inputs: inputs)
        let file = try HDF5File.open(context.output("grid").path)
        defer { try? file.close() }
        let xs = try file.read("/xcoordinates", as: Double.self), ys = try file.read("/ycoordinates", as: Double.self)
        XCTAssertEqual(xs.values, [-1, -0.5, 0, 0.5, 1])
        XCTAssertEqual(ys.values, [-0.5, -0.125, 0.25])
        let loss = try file.read("/train_loss", as: Double.self), acc = try file.read("/train_acc", as: Double.self)
        XCTAssertEqual(loss.shape, [5, 3])
        XCTAssertEqual(acc.shape, [5, 3])
        XCTAssertEqual(try file.attribute("index_order"), .string("train_loss[i, j] is at (xcoordinates[i], ycoordinates[j])"))
        XCTAssertEqual(try file.attribute("data"), .string("seeded subset of 40 training images"))
        XCTAssertEqual(try file.attribute("normalisation"), .string("filter"))
        XCTAssertEqual(try file.attribute("direction_seed"), .int(7))
        XCTAssertEqual(try file.attribute("batch_size"), .int(16))
        XCTAssertEqual(try file.attribute("ignore_biases"), .int(1))

        // The directions are the documented ones, and every point equals a direct evaluation at (x_i, y_j).
        let run = try TrainedRun.load(inputs["checkpoint"]!, stage: "test")
        let seeds = Directions.seeds(directionSeed: 7)
        let dx = Directions.random(layout: run.model.layout, theta: run.thetaMin, seed: seeds.x, normalisation: .filter)
        let dy = Directions.random(layout: run.model.layout, theta: run.thetaMin, seed: seeds.y, normalisation: .filter)
        XCTAssertEqual(try file.read("/directions/x", as: Float.self).values, dx)
        XCTAssertEqual(try file.read("/directions/y", as: Float.self).values, dy)
        let job = try LandscapeJob(try makeContext(h, Self.grid, inputs))
        XCTAssertEqual(job.data.count, 40)
        let direct = GridEvaluator(model: run.model, theta: run.thetaMin, dx: dx, dy: dy, data: job.data, threads: 1)
        var distinct = Set<Double>()
        for i in 0..<5 {
            for j in 0..<3 {
                let stats = direct.evaluate(a: xs.values[i], b: ys.values[j])
                XCTAssertEqual(loss.values[i * 3 + j], stats.meanLoss, "train_loss[\(i), \(j)]")
                XCTAssertEqual(acc.values[i * 3 + j], stats.accuracy, "train_acc[\(i), \(j)]")
                distinct.insert(stats.meanLoss)
            }
        }
        XCTAssertEqual(distinct.count, 15, "every point differs, so a transposed or mis-strided grid would fail")
        XCTAssertEqual(context.metrics["points"], 15)
        XCTAssertEqual(context.metrics["train_loss_at_minimizer"], nil, "y has no 0 in this grid")
    }

    func testResumedGridIsBitIdenticalToAnUninterruptedOne() throws {
        let h = try StageHarness()
        let inputs = try inputs(h)
        let whole = try h.run(LandscapeStage.self, Self.grid, inputs: inputs).output("grid")

        // A run killed after 7 points leaves a resume file holding them.
        let resume = h.root.appendingPathComponent("resume")
        let job = try LandscapeJob(try makeContext(h, Self.grid, inputs))
        let partial = try LandscapeStage.computeGrid(job, threads: 1, resume: resume, limit: 7)
        XCTAssertEqual(partial.completed, 7)
        XCTAssertEqual(try GridResume.load(in: resume, fingerprint: job.fingerprint, pointCount: 15)?.completed, 7)

        let resumed = try h.run(LandscapeStage.self, Self.grid, inputs: inputs, resume: resume, threads: 2)
        XCTAssertEqual(resumed.measurements["resumed_points"], 7)
        XCTAssertEqual(try Data(contentsOf: resumed.output("grid")), try Data(contentsOf: whole))
        XCTAssertFalse(FileManager.default.fileExists(atPath: resume.path), "the resume folder is removed when done")
    }

    func testResumeFileOfAnotherGridIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("grid-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var results = GridResults(pointCount: 4)
        results.set(2, BatchStats(lossSum: 3, correct: 1, count: 2))
        try GridResume.save(results, fingerprint: "grid A", in: dir)
        let back = try GridResume.load(in: dir, fingerprint: "grid A", pointCount: 4)
        XCTAssertEqual(back?.done, [false, false, true, false])
        XCTAssertEqual(back?.loss[2], 1.5)
        XCTAssertThrowsError(try GridResume.load(in: dir, fingerprint: "grid B", pointCount: 4)) {
            XCTAssertTrue("\($0)".contains("another grid"), "\($0)")
        }
    }

    /// A damaged resume file is refused by its checksum before libhdf5 parses it (libhdf5 crashes on
    /// some damaged files: the bytes used here are one of the store fuzz target's crashers).
    func testDamagedResumeFileIsRefusedBeforeHDF5ReadsIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("grid-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var results = GridResults(pointCount: 4)
        results.set(1, BatchStats(lossSum: 3, correct: 1, count: 2))
        try GridResume.save(results, fingerprint: "grid A", in: dir)
        results.set(2, BatchStats(lossSum: 1, correct: 2, count: 2))
        try GridResume.save(results, fingerprint: "grid A", in: dir)  // a second save keeps the list consistent
        XCTAssertEqual(try GridResume.load(in: dir, fingerprint: "grid A", pointCount: 4)?.done, [false, true, true, false])

        let file = dir.appendingPathComponent(GridResume.fileName)
        let crasher = try FileManager.default.contentsOfDirectory(at: repositoryRoot.appendingPathComponent("Fuzz/hdf5-crashers"),
                                                                  includingPropertiesForKeys: nil).sorted { $0.path < $1.path }[0]
        try Data(contentsOf: crasher).write(to: file)
        XCTAssertThrowsError(try GridResume.load(in: dir, fingerprint: "grid A", pointCount: 4)) {
            XCTAssertTrue("\($0)".contains("do not match the SHA-256 written with it: it is damaged); delete it"), "\($0)")
        }
        try FileManager.default.removeItem(at: file.appendingPathExtension("sha256"))
        XCTAssertThrowsError(try GridResume.load(in: dir, fingerprint: "grid A", pointCount: 4)) {
            XCTAssertTrue("\($0)".contains("no checksum file beside it"), "\($0)")
        }
    }

    func testCheckpointOfAnotherRunAndBadParametersAreTypedErrors() throws {
        let h = try StageHarness()
        let inputs = try inputs(h)
        XCTAssertThrowsError(try h.run(LandscapeStage.self, Self.grid.merging(["batch_size": .int(256)]) { $1 }, inputs: inputs)) {
            XCTAssertTrue("\($0)".contains("batch size 16") && "\($0)".contains("matching train instance"), "\($0)")
        }
        XCTAssertThrowsError(try h.run(LandscapeStage.self, Self.grid.merging(["normalisation": .string("layer")]) { $1 }, inputs: inputs)) {
            XCTAssertTrue("\($0)".contains("normalisation = layer") && "\($0)".contains("one of: filter, none"), "\($0)")
        }
        XCTAssertThrowsError(try h.run(LandscapeStage.self, Self.grid.merging(["x_max": .double(-2)]) { $1 }, inputs: inputs)) {
            XCTAssertTrue("\($0)".contains("x_max"), "\($0)")
        }
    }

    /// A context for the stage without running it (to build its job).
    func makeContext(_ h: StageHarness, _ parameters: [String: ParamValue], _ inputs: [String: URL]) throws -> StageContext {
        var values: [String: ParamValue] = [:]
        for spec in LandscapeStage.parameters { if let d = spec.defaultValue { values[spec.name] = d } }
        for (k, v) in parameters { values[k] = v }
        return StageContext(instance: LandscapeStage.kind, parameters: values, inputs: inputs.mapValues { [$0] },
                            outputs: ["grid": .hdf5], scratch: h.root.appendingPathComponent(UUID().uuidString), threads: 1)
    }
}
