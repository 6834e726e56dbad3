// The interpolate and sharpness stages on a tiny trained model: the interpolation's end points are
// the two minimizers, φ is a maximum over the box (≥ 0, inside C_ε), and reruns give the same bytes.
import Foundation
@testable import Landscape
import NN
import Optim
import Pipeline
import Store
@testable import Study
@testable import Training
import XCTest

final class AnalysisStageTests: XCTestCase {
    /// Two tiny runs (batch 8 and 32) on a generated 16×16 set, and the data they share.
    struct Runs {
        let h: StageHarness
        let data: [String: URL]
        let small: URL, large: URL
    }

    static let tiny: [String: ParamValue] = [
        "lr": .double(0.05), "max_epochs": .int(3), "patience": .int(3),
        "conv_widths": .list([.int(4), .int(8)]), "dense_widths": .list([.int(16)]),
    ]

    func runs() throws -> Runs {
        let h = try StageHarness()
        let images = try h.run(GenerateStage.self, ["count": .int(120), "size": .int(16)]).output("images")
        let data = ["data": images, "split": try h.run(SplitStage.self, inputs: ["data": images]).output("split")]
        var small = Self.tiny, large = Self.tiny
        small["batch_size"] = .int(8)
        large["batch_size"] = .int(32)
        return Runs(h: h, data: data, small: try h.run(TrainStage.self, small, inputs: data).output("checkpoint"),
                    large: try h.run(TrainStage.self, large, inputs: data).output("checkpoint"))
    }

    /// A context holding only the `data` and `split` inputs, for the shared loader.
    func loaderContext(_ r: Runs) -> StageContext {
        StageContext(instance: "test", parameters: [:], inputs: r.data.mapValues { [$0] }, outputs: [:], scratch: r.h.root, threads: 1)
    }

    func testInterpolationEndPointsAreTheTwoMinimizers() throws {
        let r = try runs()
        var inputs = r.data
        inputs["small"] = r.small
        inputs["large"] = r.large
        let context = try r.h.run(InterpolateStage.self, ["count": .int(4)], inputs: inputs)  // α = −1, 0, 1, 2
        let again = try r.h.run(InterpolateStage.self, ["count": .int(4)], inputs: inputs, threads: 2)
        XCTAssertEqual(try Data(contentsOf: context.output("curve")), try Data(contentsOf: again.output("curve")),
                       "same inputs → same bytes, whatever the thread count")
        let file = try HDF5File.open(context.output("curve").path)
        defer { try? file.close() }
        XCTAssertEqual(try file.read("/alpha", as: Double.self).values, [-1, 0, 1, 2])
        XCTAssertEqual(Set(try file.datasetPaths()), ["/alpha", "/train_loss", "/train_accuracy", "/val_loss", "/val_accuracy"])

        let stage = "test"
        let small = try TrainedRun.load(r.small, stage: stage), large = try TrainedRun.load(r.large, stage: stage)
        let (_, train, validation) = try TrainStage.loadSplitSets(loaderContext(r))
        let network = Network(model: small.model, maxBatch: 256)
        func direct(_ theta: [Float], _ set: TrainingData) throws -> BatchStats {
            try theta.withUnsafeBufferPointer { p in try set.withBuffers { try network.evaluateDataset(parameters: p, images: $0, labels: $1) } }
        }
        let trainLoss = try file.read("/train_loss", as: Double.self).values
        let valLoss = try file.read("/val_loss", as: Double.self).values
        let valAccuracy = try file.read("/val_accuracy", as: Double.self).values
        XCTAssertEqual(trainLoss[1], try direct(small.thetaMin, train).meanLoss)
        XCTAssertEqual(trainLoss[2], try direct(large.thetaMin, train).meanLoss)
        XCTAssertEqual(valLoss[1], try direct(small.thetaMin, validation).meanLoss)
        XCTAssertEqual(valLoss[2], try direct(large.thetaMin, validation).meanLoss)
        XCTAssertEqual(valAccuracy[2], try direct(large.thetaMin, validation).accuracy)
        XCTAssertNotEqual(trainLoss[0], trainLoss[1], "α = −1 is another point")
        XCTAssertEqual(try file.attribute("small_batch_size"), .int(8))
        XCTAssertEqual(try file.attribute("large_batch_size"), .int(32))
        XCTAssertEqual(try file.attribute("small_lr"), .double(0.05))
        XCTAssertEqual(try file.attribute("train_subset"), .int(Int64(train.count)))
    }

    func testInterpolationRejectsRunsOfDifferentModels() throws {
        let r = try runs()
        var other = Self.tiny
        other["batch_size"] = .int(8)
        other["dense_widths"] = .list([.int(12)])
        var inputs = r.data
        inputs["small"] = r.small
        inputs["large"] = try r.h.run(TrainStage.self, other, inputs: r.data).output("checkpoint")
        XCTAssertThrowsError(try r.h.run(InterpolateStage.self, inputs: inputs)) { error in
            XCTAssertTrue("\(error)".contains("same architecture"), "\(error)")
        }
    }

    func testSharpnessIsAMaximumInsideTheBoxAndDeterministic() throws {
        let r = try runs()
        var inputs = r.data
        inputs["checkpoint"] = r.large
        let params: [String: ParamValue] = ["epsilon": .list([.double(1e-3), .double(1e-2)]), "iterations": .int(5),
                                            "train_subset": .int(40), "batch_size": .int(32), "lr": .double(0.05)]
        let a = try r.h.run(SharpnessStage.self, params, inputs: inputs, threads: 1)
        let b = try r.h.run(SharpnessStage.self, params, inputs: inputs, threads: 2)
        XCTAssertEqual(try Data(contentsOf: a.output("sharpness")), try Data(contentsOf: b.output("sharpness")),
                       "same inputs → same bytes, whatever the thread count")
        let file = try HDF5File.open(a.output("sharpness").path)
        defer { try? file.close() }
        let phi = try file.read("/phi", as: Double.self).values
        let fX = try file.read("/f_x", as: Double.self).values, fMax = try file.read("/f_max", as: Double.self).values
        XCTAssertEqual(try file.read("/epsilon", as: Double.self).values, [1e-3, 1e-2])
        for i in 0..<2 {
            XCTAssertGreaterThan(fMax[i], fX[i], "the box around a minimizer holds higher losses")
            XCTAssertEqual(phi[i], (fMax[i] - fX[i]) / (1 + fX[i]) * 100, accuracy: 1e-12)
            let f = try file.read("/trace/\(i)/f", as: Double.self).values
            XCTAssertEqual(f.count, Int(try file.read("/iterations", as: Int64.self).values[i]) + 1)
            XCTAssertEqual(f.max(), fMax[i], "f_max is the optimiser's best")
            XCTAssertEqual(try file.read("/trace/\(i)/evaluations", as: Int64.self).values.last,
                           try file.read("/evaluations", as: Int64.self).values[i])
        }
        XCTAssertGreaterThan(phi[1], phi[0], "a larger box reaches higher")
        XCTAssertEqual(a.metrics["phi[eps=0.001]"], phi[0])
        XCTAssertEqual(try file.attribute("batch_size"), .int(32))
        XCTAssertEqual(try file.attribute("train_subset"), .int(40))
        XCTAssertEqual(try file.attribute("iterations_max"), .int(5))
        guard case .string(let optimizer) = try file.attribute("optimizer") else { return XCTFail("optimizer attribute") }
        XCTAssertTrue(optimizer.contains("L-BFGS-B") && optimizer.contains("memory 10"), optimizer)
    }

    func testSharpnessPerturbationStaysInTheBoxAndBeatsTheStart() throws {
        let r = try runs()
        let run = try TrainedRun.load(r.large, stage: "test")
        let train = try TrainStage.loadSplitSets(loaderContext(r)).train.subset(count: 40, seed: 1)
        let loss = DatasetLoss(network: Network(model: run.model, maxBatch: 16), data: train)
        let results = try KeskarSharpness.measure(x: run.thetaMin, loss: loss, epsilons: [5e-3], iterations: 4, memory: 3, startSeed: 7)
        let m = results[0]
        let radius = KeskarSharpness.radius(x: run.thetaMin, epsilon: 5e-3)
        XCTAssertTrue(m.y.indices.allSatisfy { abs(m.y[$0]) <= radius[$0] }, "y ∈ C_ε")
        XCTAssertGreaterThan(m.y.indices.filter { abs(m.y[$0]) == radius[$0] }.count, 0, "the maximiser uses the box's faces")
        let start = KeskarSharpness.start(radius: radius, seed: 7, index: 0)
        XCTAssertTrue(start.indices.allSatisfy { abs(start[$0]) < radius[$0] } && start.contains { $0 != 0 }, "random start inside the box")
        XCTAssertGreaterThan(m.trace.last!.f, m.trace[0].f, "the optimiser climbed from its start")
        XCTAssertGreaterThanOrEqual(m.phi, 0)
        // The gradient the optimiser sees is the loss's: a central difference along y agrees.
        var gradient = [Double](repeating: 0, count: run.thetaMin.count)
        let direction = radius.indices.map { radius[$0] * sin(Double($0)) }
        func f(_ t: Double) -> Double {
            let y = direction.map { t * $0 }
            return y.withUnsafeBufferPointer { yb in gradient.withUnsafeMutableBufferPointer { loss.evaluate(x: run.thetaMin, y: yb, gradient: $0) } }
        }
        let numeric = (f(0.05) - f(-0.05)) / 0.1
        _ = f(0)
        var analytic = 0.0
        for i in gradient.indices { analytic += gradient[i] * direction[i] }
        XCTAssertEqual(numeric, analytic, accuracy: 5e-2 * abs(analytic), "ReLU kinks and Float rounding allow a few %")
    }

    func testSharpnessRejectsACheckpointOfAnotherRun() throws {
        let r = try runs()
        var inputs = r.data
        inputs["checkpoint"] = r.small   // batch 8, asked for 32
        XCTAssertThrowsError(try r.h.run(SharpnessStage.self, ["batch_size": .int(32), "train_subset": .int(20), "iterations": .int(1)],
                                         inputs: inputs)) { error in
            XCTAssertTrue("\(error)".contains("batch_size=8"), "\(error)")
        }
    }
}
