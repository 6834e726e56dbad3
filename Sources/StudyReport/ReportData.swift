// What the report shows, read from its input objects: training runs (series from the checkpoint),
// distances, and the optional interpolation, sharpness, landscape and timing results (seconds per epoch
// measured by the exclusive `timing` stage). Plain values: the figures and claims are built from them.
import Foundation
import Store
import Training

public struct ReportRun: Sendable {
    public var batchSize: Int
    public var learningRate: Double
    public var workers: Int
    public var trainLoss: [Double]
    public var valLoss: [Double]
    public var valAccuracy: [Double]
    public var epochMin: Int
    public var maxEpochs: Int
    public var stopped: String
    /// Images trained and validated on, and the model's description (checkpoint attributes).
    public var trainCount = 0
    public var validationCount = 0
    public var model = ""
    public var patience = ""
    /// The replicate (from 1); checkpoints of replicate 1 carry no attribute.
    public var replicate = 1
    /// The gradient noise scale per epoch (empty in checkpoints from before train code version 4).
    public var noise: [NoiseScaleEpoch] = []
    /// Loss and accuracy of θ_min on the held-out test set (the `evaluate` object), when the pipeline has one.
    public var testLoss: Double?
    public var testAccuracy: Double?
    /// The train stage's `plateau_loss` (nil: not set) and the first epoch below it (nil: never; PlateauExclusion.swift).
    public var plateauLoss: Double?
    public var plateauLeftEpoch: Int?

    public var epochsRun: Int { valLoss.count }
    public var minValLoss: Double { valLoss[epochMin - 1] }
    /// The minimum is only a lower bound of "epochs to the minimum" when the run hit its epoch cap.
    public var hitCap: Bool { stopped == "max_epochs" }
    public var label: String { "bs \(batchSize)" }
}

/// An interpolate stage's `curve` object as the report reads it back (the stage computes `InterpolationCurve`).
public struct InterpolationTable: Sendable {
    public var alpha: [Double], trainLoss: [Double], trainAccuracy: [Double], valLoss: [Double], valAccuracy: [Double]
    public var smallBatchSize: Int, smallLR: Double, largeBatchSize: Int, largeLR: Double
}

public struct SharpnessResult: Sendable {
    public var batchSize: Int, learningRate: Double, replicate = 1
    public var epsilon: [Double], phi: [Double], fX: [Double], fMax: [Double]

    /// φ at the ε closest to `epsilon` (the spec's 1e-3), with that ε.
    public func phi(near epsilon: Double) -> (epsilon: Double, phi: Double)? {
        guard let i = self.epsilon.indices.min(by: { abs(log(self.epsilon[$0] / epsilon)) < abs(log(self.epsilon[$1] / epsilon)) })
        else { return nil }
        return (self.epsilon[i], phi[i])
    }
}

public struct LandscapeGrid: Sendable {
    public var batchSize: Int, learningRate: Double
    public var x: [Double], y: [Double]
    /// (nx, ny) row-major: loss[i * ny + j] at (x[i], y[j]).
    public var trainLoss: [Double], trainAccuracy: [Double]
}

/// Which runs form the study's learning-rate families.
public struct ReportSettings: Sendable {
    public var fixedLR = 0.01
    public var baseLR = 0.01
    public var baseBatchSize = 32
    public var sweepLR = 0.08
    public var epsilon = 1e-3

    public init() {}
}

public struct ReportData: Sendable {
    public var runs: [ReportRun]
    /// Controlled seconds per epoch, one table per worker count (F3, F4, F5, F14, claim 2).
    public var timings: [TimingTable]
    /// The minimizers scored on the held-out test set (nil: no test set, e.g. the photo pipeline).
    public var evaluation: TestEvaluation?
    public var distances: DistanceTable
    public var curve: InterpolationTable?
    /// F9's second line: between minimizers of different replicates (different θ_init), when the pipeline has it.
    public var crossCurve: InterpolationTable?
    public var sharpness: [SharpnessResult]
    public var grids: [LandscapeGrid]
    public var settings: ReportSettings
    /// Issue 14's analyses (F19, F20), when the pipeline has them.
    public var critical: CriticalBatchTable? = nil
    public var trajectories: [TrajectoryTable] = []
    public var hessians: [HessianResult] = []
    /// Dinh et al.'s audit (S10's invariance table), when the pipeline has the reparametrisation stage.
    public var reparametrisation: ReparametrisationAuditTable? = nil

    static func same(_ a: Double, _ b: Double) -> Bool { DistanceTable.sameLearningRate(a, b) }

    /// lr fixed at settings.fixedLR, by batch size: replicate 1 (the figures that draw one run per batch size).
    public var fixedFamily: [ReportRun] { fixedFamilyReplicates.filter { $0.replicate == 1 } }

    /// lr = baseLR · bs / baseBatchSize (the linear scaling rule), by batch size: replicate 1.
    public var scaledFamily: [ReportRun] { scaledFamilyReplicates.filter { $0.replicate == 1 } }

    /// Every replicate of the fixed-lr family, by batch size then replicate (the claims' data).
    public var fixedFamilyReplicates: [ReportRun] {
        runs.filter { Self.same($0.learningRate, settings.fixedLR) }.sorted { ($0.batchSize, $0.replicate) < ($1.batchSize, $1.replicate) }
    }

    /// Every replicate of the scaled-lr family.
    public var scaledFamilyReplicates: [ReportRun] {
        runs.filter { Self.same($0.learningRate, scaledLR($0.batchSize)) }.sorted { ($0.batchSize, $0.replicate) < ($1.batchSize, $1.replicate) }
    }

    public func scaledLR(_ batchSize: Int) -> Double { settings.baseLR * Double(batchSize) / Double(settings.baseBatchSize) }

    public func distanceRow(_ run: ReportRun) -> DistanceTable.Run? {
        distances.runs.first { $0.batchSize == run.batchSize && Self.same($0.learningRate, run.learningRate) && $0.workers == run.workers
            && $0.replicate == run.replicate }
    }

    public func sharpness(batchSize: Int, lr: Double, replicate: Int = 1) -> SharpnessResult? {
        sharpness.first { $0.batchSize == batchSize && Self.same($0.learningRate, lr) && $0.replicate == replicate }
    }

    /// The single-process timing (1 worker): the seconds per epoch F3, F4, F14 and claim 2 use.
    public var timing: TimingTable? { timings.filter { $0.workers == 1 }.first }

    public init(runs: [ReportRun], timings: [TimingTable] = [], evaluation: TestEvaluation? = nil, distances: DistanceTable,
                curve: InterpolationTable?, crossCurve: InterpolationTable? = nil, sharpness: [SharpnessResult], grids: [LandscapeGrid],
                settings: ReportSettings) {
        self.crossCurve = crossCurve
        self.evaluation = evaluation
        self.runs = runs.map { run in
            var r = run
            let row = evaluation?.run(batchSize: r.batchSize, learningRate: r.learningRate, workers: r.workers, replicate: r.replicate)
            r.testLoss = row?.testLoss
            r.testAccuracy = row?.testAccuracy
            return r
        }
        self.timings = timings.sorted { $0.workers < $1.workers }
        self.distances = distances
        self.curve = curve
        self.sharpness = sharpness
        self.grids = grids
        self.settings = settings
    }
}

// MARK: - Reading the inputs

extension ReportData {
    public static func readRun(_ url: URL, stage: String) throws -> ReportRun {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        guard case .int(let bs) = try file.attribute("batch_size"), case .double(let lr) = try file.attribute("lr"),
              case .int(let epochMin) = try file.attribute("epoch_min"), case .int(let maxEpochs) = try file.attribute("max_epochs")
        else { throw StudyError.badInput(stage: stage, file: url.path, detail: "checkpoint attributes batch_size, lr, epoch_min, max_epochs") }
        var stopped = ""
        if case .string(let s)? = try? file.attribute("stopped") { stopped = s }
        // Workers are content of the checkpoint (absent in checkpoints from before: one process).
        var workers = 1
        if case .int(let w)? = try? file.attribute("workers") { workers = Int(w) }
        var run = ReportRun(batchSize: Int(bs), learningRate: lr, workers: workers,
                            trainLoss: try file.read("/epochs/train_loss", as: Double.self).values,
                            valLoss: try file.read("/epochs/val_loss", as: Double.self).values,
                            valAccuracy: try file.read("/epochs/val_accuracy", as: Double.self).values,
                            epochMin: Int(epochMin), maxEpochs: Int(maxEpochs), stopped: stopped)
        if case .int(let c)? = try? file.attribute("train_count") { run.trainCount = Int(c) }
        if case .int(let r)? = try? file.attribute("replicate") { run.replicate = Int(r) }
        run.noise = try TrainingCheckpoint.readNoise(file)
        if case .int(let c)? = try? file.attribute("validation_count") { run.validationCount = Int(c) }
        if case .string(let m)? = try? file.attribute("model") { run.model = m }
        if case .double(let p)? = try? file.attribute("plateau_loss") {
            run.plateauLoss = p
            // 0: never below it.
            if case .int(let e)? = try? file.attribute("plateau_left_epoch"), e > 0 { run.plateauLeftEpoch = Int(e) }
        }
        if case .int(let p)? = try? file.attribute("patience"), case .string(let u)? = try? file.attribute("patience_unit") {
            run.patience = "\(p) \(u)"
        }
        guard run.epochMin >= 1, run.epochMin <= run.epochsRun else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "epoch_min \(epochMin) outside the \(run.epochsRun) epochs")
        }
        return run
    }

    public static func readCurve(_ url: URL, stage: String) throws -> InterpolationTable {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        func d(_ name: String) throws -> [Double] { try file.read(name, as: Double.self).values }
        guard case .int(let sb) = try file.attribute("small_batch_size"), case .double(let slr) = try file.attribute("small_lr"),
              case .int(let lb) = try file.attribute("large_batch_size"), case .double(let llr) = try file.attribute("large_lr")
        else { throw StudyError.badInput(stage: stage, file: url.path, detail: "curve attributes small/large batch_size and lr") }
        return InterpolationTable(alpha: try d("/alpha"), trainLoss: try d("/train_loss"), trainAccuracy: try d("/train_accuracy"),
                                  valLoss: try d("/val_loss"), valAccuracy: try d("/val_accuracy"),
                                  smallBatchSize: Int(sb), smallLR: slr, largeBatchSize: Int(lb), largeLR: llr)
    }

    public static func readSharpness(_ url: URL, stage: String) throws -> SharpnessResult {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        func d(_ name: String) throws -> [Double] { try file.read(name, as: Double.self).values }
        guard case .int(let bs) = try file.attribute("batch_size"), case .double(let lr) = try file.attribute("lr") else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "sharpness attributes batch_size, lr")
        }
        var replicate = 1
        if case .int(let r)? = try? file.attribute("replicate") { replicate = Int(r) }
        return SharpnessResult(batchSize: Int(bs), learningRate: lr, replicate: replicate, epsilon: try d("/epsilon"), phi: try d("/phi"),
                               fX: try d("/f_x"), fMax: try d("/f_max"))
    }

    public static func readGrid(_ url: URL, stage: String) throws -> LandscapeGrid {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        func d(_ name: String) throws -> HDF5Array<Double> { try file.read(name, as: Double.self) }
        guard case .int(let bs) = try file.attribute("batch_size"), case .double(let lr) = try file.attribute("lr") else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "grid attributes batch_size, lr")
        }
        let x = try d("/xcoordinates").values, y = try d("/ycoordinates").values
        let loss = try d("/train_loss"), accuracy = try d("/train_acc")
        guard loss.shape == [x.count, y.count], accuracy.shape == loss.shape else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "train_loss is \(loss.shape), expected [\(x.count), \(y.count)]")
        }
        return LandscapeGrid(batchSize: Int(bs), learningRate: lr, x: x, y: y, trainLoss: loss.values, trainAccuracy: accuracy.values)
    }
}

/// A checkpoint's lr (float32 widened: 0.00999999977…) as the decimal the pipeline file gave (0.01).
func decimalLR(_ lr: Double) -> Double { Double("\(Float(lr))") ?? lr }
