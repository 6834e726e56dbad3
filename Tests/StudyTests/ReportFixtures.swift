// Small objects in the exact layouts of the stages the report reads (train checkpoints, interpolate
// curve, sharpness, landscape grid), with known values, for the distances and report tests.
import Foundation
import NN
import Store
import Statistics
@testable import Study
import StudyReport
@testable import Training

enum ReportFixtures {
    static let spec = ModelSpec(channels: 3, height: 8, width: 8, convWidths: [2], denseWidths: [4])

    /// A checkpoint of `spec` whose θ_min = θ_init + `step` on every conv1.weight element and θ_final =
    /// θ_init + 2·`step` there; series and update norms as given.
    static func checkpoint(in dir: URL, batchSize: Int, lr: Float, valLoss: [Double], trainLoss: [Double]? = nil,
                           epochDistance: [Double]? = nil, norms: [Double], step: Float, stopped: StopReason = .patience,
                           spec: ModelSpec = ReportFixtures.spec, workers: Int = 1) throws -> URL {
        let model = try Model(spec)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let theta0 = model.initialParameters(seed: 1)
        let conv1 = model.layout["conv1.weight"]!.range
        var thetaMin = theta0, thetaFinal = theta0
        for i in conv1 { thetaMin[i] += step; thetaFinal[i] += 2 * step }
        let best = valLoss.indices.min { valLoss[$0] < valLoss[$1] }! + 1
        let epochs = valLoss.indices.map { e in
            EpochSummary(trainLoss: trainLoss?[e] ?? valLoss[e] - 0.05, validationLoss: valLoss[e], validationAccuracy: 0.5 + 0.01 * Double(e),
                         distance: epochDistance?[e] ?? 0.1 / Double(e + 1))
        }
        // A noise scale that grows as the loss falls: B_simple = 100·(1 + e)/val_loss.
        let noise = valLoss.indices.map { NoiseScaleEpoch(gradientSquared: 0.01 * valLoss[$0], trace: Double($0 + 1), batches: 2) }
        let state = TrainingState(theta: thetaFinal, thetaInit: theta0, thetaMin: thetaMin, epochs: epochs, updateNorms: norms,
                                  noise: noise, bestEpoch: best, stopped: stopped)
        let config = TrainingConfig(batchSize: batchSize, learningRate: lr, initSeed: 1, shuffleSeed: 1, maxEpochs: 10,
                                    patience: 2, patienceUnit: .epochs)
        let url = dir.appendingPathComponent("ckpt-\(batchSize)-\(lr).h5")
        try TrainingCheckpoint.write(state, model: model, config: config, workers: workers, trainCount: 64, validationCount: 16, to: url.path)
        return url
    }

    /// A critical_batch object: steps S = 100·(1 + 64/B) at the best lr, B_simple 50 at the target.
    static func critical(in dir: URL) throws -> URL {
        let sizes = [32, 64, 128, 256]
        let runs = sizes.flatMap { bs in [0.01, 0.04].map { lr in
            CriticalBatchTable.Run(batchSize: bs, learningRate: lr, replicate: 1, stepsPerEpoch: 800 / bs,
                                   epochToTarget: Int((lr == 0.04 ? 1.0 : 2.0) * 100 * (1 + 64 / Double(bs)) / Double(800 / bs)) + 1,
                                   bSimple: 50)
        } }
        let best = sizes.map { bs in
            CriticalBatchTable.Best(replicate: 1, batchSize: bs, learningRate: 0.04,
                                    steps: Double(runs.first { $0.batchSize == bs && $0.learningRate == 0.04 }!.stepsToTarget!), bSimple: 50)
        }
        let model = try ScalingFit.fit(batchSizes: best.map { Double($0.batchSize) }, steps: best.map(\.steps))
        let table = CriticalBatchTable(targetValLoss: 0.4, windowEpochs: 5, runs: runs, best: best,
                                       fits: [.init(replicate: 1, minimumSteps: model.minimumSteps, criticalBatch: model.criticalBatch,
                                                    predicted: 50, logResidual: model.logResidual, atBoundary: model.atBoundary)])
        let url = dir.appendingPathComponent("critical.h5")
        try table.write(to: url.path)
        return url
    }

    /// A hessian object as the stage writes it (the datasets the report reads): a spectrum of a bulk
    /// near 0 and one outlier at `lambdaMax`.
    static func hessian(in dir: URL, batchSize: Int, lambdaMax: Double) throws -> URL {
        let url = dir.appendingPathComponent("hessian-\(batchSize).h5")
        let f = try HDF5File.create(url.path)
        let nodes = [lambdaMax, 0.3 * lambdaMax, 0.05, 0.01, -0.02], weights = [0.01, 0.04, 0.3, 0.45, 0.2]
        for (name, values) in [("/lambda_max", [lambdaMax]), ("/trace", [10 * lambdaMax]), ("/trace_standard_error", [0.5]),
                               ("/spectrum/nodes", nodes), ("/spectrum/weights", weights)] {
            try f.write(name, HDF5Array(shape: [values.count], values: values))
        }
        try f.setAttribute("batch_size", .int(Int64(batchSize)))
        try f.setAttribute("lr", .double(0.01))
        try f.close()
        return url
    }

    /// A reparametrisation audit as the stage writes it (conv2 × α, conv3 × 1/α at α = 1/4, 1, 4), with the numbers of
    /// docs/analyses.md's fixture table: φ, λ_max, the trace and the Keskar box move; the adaptive measures do not, the
    /// average case within 5e-5 relative (inside the page's 1e-4 tolerance).
    static func reparametrisation(in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("audit.h5")
        let f = try HDF5File.create(url.path)
        for (name, values) in [("alpha", [0.25, 1, 4]), ("max_logit_change", [0, 0, 0]), ("f_x", [0.3, 0.3, 0.3]),
                               ("phi", [2.5, 1.0, 9.0]), ("lambda_max", [6.07, 4.71, 47.0]), ("lambda_residual", [1e-3, 1e-3, 1e-3]),
                               ("trace", [41.3, 9.85, 77.6]), ("trace_standard_error", [0.7, 0.7, 0.7]),
                               ("adaptive_worst", [0.7383, 0.7383, 0.7383]), ("adaptive_average", [1.158e-3, 1.158e-3, 1.158e-3 * (1 + 5e-5)]),
                               ("keskar_box_worst", [4.63e-4, 3.22e-4, 2.94e-3])] {
            try f.write("/" + name, HDF5Array(shape: [values.count], values: values))
        }
        let attributes: [(String, HDF5AttributeValue)] = [
            ("batch_size", .int(32)), ("lr", .double(0.01)), ("layer", .string("conv2")), ("next_layer", .string("conv3")),
            ("phi_epsilon", .double(1e-3)), ("rho", .double(0.05)), ("epsilon", .double(1e-3)),
        ]
        for (name, value) in attributes { try f.setAttribute(name, value) }
        try f.close()
        return url
    }

    /// A trajectory object: a quadratic bowl on a 9×9 PCA plane and a spiral path into its centre.
    static func trajectory(in dir: URL, batchSize: Int) throws -> URL {
        let xs = (0..<9).map { -1 + 0.25 * Double($0) }, ys = xs
        let loss = xs.flatMap { x in ys.map { y in 0.3 + x * x + 2 * y * y } }
        let epochs = [0, 4, 8, 12, 16]
        let path = epochs.map { e -> (Double, Double) in
            let r = 0.8 * Double(16 - e) / 16, a = Double(e) / 5
            return (r * cos(a), r * sin(a))
        }
        let table = TrajectoryTable(batchSize: batchSize, learningRate: 0.01, replicate: 1, finalEpoch: 16, trainCount: 64, subsetCount: 64,
                                    directions: [[1, 0, 0], [0, 1, 0]], explained: [0.8, 0.15], epochs: epochs,
                                    x: path.map(\.0), y: path.map(\.1), gridX: xs, gridY: ys, trainLoss: loss,
                                    trainAccuracy: loss.map { 1 - $0 / 4 })
        let url = dir.appendingPathComponent("trajectory-\(batchSize).h5")
        try table.write(to: url.path)
        return url
    }

    static func curve(in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("curve.h5")
        let f = try HDF5File.create(url.path)
        let alpha = stride(from: -1.0, through: 2.0, by: 0.25).map { $0 }
        let loss = alpha.map { 0.3 + 0.5 * ($0 - 0.2) * ($0 - 0.2) }
        for (name, values) in [("/alpha", alpha), ("/train_loss", loss), ("/val_loss", loss.map { $0 + 0.05 }),
                               ("/train_accuracy", loss.map { 1 - $0 / 4 }), ("/val_accuracy", loss.map { 0.95 - $0 / 4 })] {
            try f.write(name, HDF5Array(shape: [values.count], values: values))
        }
        try f.setAttribute("small_batch_size", .int(32))
        try f.setAttribute("small_lr", .double(0.01))
        try f.setAttribute("large_batch_size", .int(256))
        try f.setAttribute("large_lr", .double(0.01))
        try f.close()
        return url
    }

    static func sharpness(in dir: URL, batchSize: Int, lr: Double, phi: Double) throws -> URL {
        let url = dir.appendingPathComponent("sharp-\(batchSize)-\(lr).h5")
        let f = try HDF5File.create(url.path)
        let eps = [1e-4, 1e-3, 1e-2]
        for (name, values) in [("/epsilon", eps), ("/phi", [phi / 10, phi, phi * 10]), ("/f_x", [0.3, 0.3, 0.3]),
                               ("/f_max", eps.map { _ in 0.31 })] {
            try f.write(name, HDF5Array(shape: [values.count], values: values))
        }
        try f.setAttribute("batch_size", .int(Int64(batchSize)))
        try f.setAttribute("lr", .double(lr))
        try f.close()
        return url
    }

    static func grid(in dir: URL, batchSize: Int, curvature: Double) throws -> URL {
        let url = dir.appendingPathComponent("grid-\(batchSize).h5")
        let f = try HDF5File.create(url.path)
        let x = stride(from: -1.0, through: 1.0, by: 0.2).map { $0 }, y = stride(from: -1.0, through: 1.0, by: 0.25).map { $0 }
        var loss: [Double] = [], acc: [Double] = []
        for a in x { for b in y { loss.append(0.3 + curvature * (a * a + b * b)); acc.append(0.9 - 0.1 * (a * a + b * b)) } }
        try f.write("/xcoordinates", HDF5Array(shape: [x.count], values: x))
        try f.write("/ycoordinates", HDF5Array(shape: [y.count], values: y))
        try f.write("/train_loss", HDF5Array(shape: [x.count, y.count], values: loss))
        try f.write("/train_acc", HDF5Array(shape: [x.count, y.count], values: acc))
        try f.setAttribute("batch_size", .int(Int64(batchSize)))
        try f.setAttribute("lr", .double(0.01))
        try f.close()
        return url
    }
}
