// The `critical_batch` object (issue 14 §1): steps to a target validation loss for every training
// run, each batch size's best learning rate, McCandlish's S = S_min(1 + B_noise/B) fitted per
// replicate, and the noise scale B_simple at the target beside it (the predicted critical batch size).
//
// Layout:
//   /runs/batch_size, /runs/replicate, /runs/steps_per_epoch, /runs/epoch_to_target   int64 (R)  (0: never reached)
//   /runs/lr, /runs/steps_to_target, /runs/b_simple                                    float64 (R) (NaN: never reached)
//   /best/replicate, /best/batch_size int64 (K); /best/lr, /best/steps, /best/b_simple float64 (K)
//   /fit/replicate int64 (F); /fit/s_min, /fit/b_crit, /fit/b_simple, /fit/log_residual float64 (F);
//   /fit/at_boundary int64 (F)
//   attributes on /: target_val_loss, window_epochs
import Foundation
import Store
import Training

public struct CriticalBatchTable: Sendable, Equatable {
    public struct Run: Sendable, Equatable {
        public var batchSize: Int, learningRate: Double, replicate: Int, stepsPerEpoch: Int
        /// First epoch at or below the target (nil: never).
        public var epochToTarget: Int?
        /// B_simple pooled over the window ending at that epoch (NaN: never reached or no estimate).
        public var bSimple: Double
        public var stepsToTarget: Int? { epochToTarget.map { $0 * stepsPerEpoch } }

        public init(batchSize: Int, learningRate: Double, replicate: Int, stepsPerEpoch: Int, epochToTarget: Int?, bSimple: Double) {
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.replicate = replicate
            self.stepsPerEpoch = stepsPerEpoch
            self.epochToTarget = epochToTarget
            self.bSimple = bSimple
        }
    }
    /// The fewest steps of one batch size in one replicate, and the learning rate that took them.
    public struct Best: Sendable, Equatable {
        public var replicate: Int, batchSize: Int, learningRate: Double, steps: Double, bSimple: Double
        public init(replicate: Int, batchSize: Int, learningRate: Double, steps: Double, bSimple: Double) {
            self.replicate = replicate
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.steps = steps
            self.bSimple = bSimple
        }
    }
    /// One replicate's fit: S_min, the measured critical batch size (the knee) and the predicted one.
    public struct Fit: Sendable, Equatable {
        public var replicate: Int, minimumSteps: Double, criticalBatch: Double, predicted: Double, logResidual: Double
        public var atBoundary: Bool
        public init(replicate: Int, minimumSteps: Double, criticalBatch: Double, predicted: Double, logResidual: Double, atBoundary: Bool) {
            self.replicate = replicate
            self.minimumSteps = minimumSteps
            self.criticalBatch = criticalBatch
            self.predicted = predicted
            self.logResidual = logResidual
            self.atBoundary = atBoundary
        }
    }

    public var targetValLoss: Double
    public var windowEpochs: Int
    public var runs: [Run]
    public var best: [Best]
    public var fits: [Fit]

    public init(targetValLoss: Double, windowEpochs: Int, runs: [Run], best: [Best], fits: [Fit]) {
        self.targetValLoss = targetValLoss
        self.windowEpochs = windowEpochs
        self.runs = runs
        self.best = best
        self.fits = fits
    }

    public func write(to path: String) throws {
        let file = try HDF5File.create(path)
        func ints(_ name: String, _ v: [Int]) throws { try file.write(name, HDF5Array(shape: [v.count], values: v.map { Int64($0) })) }
        func doubles(_ name: String, _ v: [Double]) throws { try file.write(name, HDF5Array(shape: [v.count], values: v)) }
        try ints("/runs/batch_size", runs.map(\.batchSize))
        try ints("/runs/replicate", runs.map(\.replicate))
        try ints("/runs/steps_per_epoch", runs.map(\.stepsPerEpoch))
        try ints("/runs/epoch_to_target", runs.map { $0.epochToTarget ?? 0 })
        try doubles("/runs/lr", runs.map(\.learningRate))
        try doubles("/runs/steps_to_target", runs.map { $0.stepsToTarget.map(Double.init) ?? .nan })
        try doubles("/runs/b_simple", runs.map(\.bSimple))
        try ints("/best/replicate", best.map(\.replicate))
        try ints("/best/batch_size", best.map(\.batchSize))
        try doubles("/best/lr", best.map(\.learningRate))
        try doubles("/best/steps", best.map(\.steps))
        try doubles("/best/b_simple", best.map(\.bSimple))
        try ints("/fit/replicate", fits.map(\.replicate))
        try doubles("/fit/s_min", fits.map(\.minimumSteps))
        try doubles("/fit/b_crit", fits.map(\.criticalBatch))
        try doubles("/fit/b_simple", fits.map(\.predicted))
        try doubles("/fit/log_residual", fits.map(\.logResidual))
        try ints("/fit/at_boundary", fits.map { $0.atBoundary ? 1 : 0 })
        try file.setAttribute("target_val_loss", .double(targetValLoss))
        try file.setAttribute("window_epochs", .int(Int64(windowEpochs)))
        try file.close()
    }

    /// Several objects (one per replicate, from a replicated critical_batch) as one table; nil for none.
    /// They must share the target and the window, and no replicate may be fitted twice.
    public static func merged(_ tables: [(url: URL, table: CriticalBatchTable)], stage: String) throws -> CriticalBatchTable? {
        guard let first = tables.first?.table else { return nil }
        var seen: Set<Int> = []
        for (url, t) in tables {
            guard t.targetValLoss == first.targetValLoss, t.windowEpochs == first.windowEpochs else {
                throw StudyError.badInput(stage: stage, file: url.path,
                                          detail: "its target \(t.targetValLoss) and window \(t.windowEpochs) differ from another critical_batch "
                                              + "object's (\(first.targetValLoss), \(first.windowEpochs)); give every replicate the same params")
            }
            for r in Set(t.fits.map(\.replicate)) where !seen.insert(r).inserted {
                throw StudyError.badInput(stage: stage, file: url.path,
                                          detail: "replicate \(r) is fitted by two critical_batch objects; read each replicate once")
            }
        }
        let all = tables.map(\.table)
        return CriticalBatchTable(targetValLoss: first.targetValLoss, windowEpochs: first.windowEpochs,
                                  runs: all.flatMap(\.runs).sorted { ($0.replicate, $0.batchSize, $0.learningRate) < ($1.replicate, $1.batchSize, $1.learningRate) },
                                  best: all.flatMap(\.best).sorted { ($0.replicate, $0.batchSize) < ($1.replicate, $1.batchSize) },
                                  fits: all.flatMap(\.fits).sorted { $0.replicate < $1.replicate })
    }

    public static func read(_ url: URL, stage: String) throws -> CriticalBatchTable {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        func ints(_ name: String) throws -> [Int] { try file.read(name, as: Int64.self).values.map { Int($0) } }
        func doubles(_ name: String) throws -> [Double] { try file.read(name, as: Double.self).values }
        guard case .double(let target) = try file.attribute("target_val_loss"),
              case .int(let window) = try file.attribute("window_epochs") else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "attributes target_val_loss and window_epochs; is this a critical_batch object?")
        }
        let (bs, rep, spe, ett) = (try ints("/runs/batch_size"), try ints("/runs/replicate"), try ints("/runs/steps_per_epoch"),
                                   try ints("/runs/epoch_to_target"))
        let (lr, b) = (try doubles("/runs/lr"), try doubles("/runs/b_simple"))
        let runs = bs.indices.map {
            Run(batchSize: bs[$0], learningRate: lr[$0], replicate: rep[$0], stepsPerEpoch: spe[$0],
                epochToTarget: ett[$0] > 0 ? ett[$0] : nil, bSimple: b[$0])
        }
        let (br, bb, bl, bst, bbs) = (try ints("/best/replicate"), try ints("/best/batch_size"), try doubles("/best/lr"),
                                      try doubles("/best/steps"), try doubles("/best/b_simple"))
        let best = br.indices.map { Best(replicate: br[$0], batchSize: bb[$0], learningRate: bl[$0], steps: bst[$0], bSimple: bbs[$0]) }
        let (fr, fs, fc, fp, fl, fa) = (try ints("/fit/replicate"), try doubles("/fit/s_min"), try doubles("/fit/b_crit"),
                                        try doubles("/fit/b_simple"), try doubles("/fit/log_residual"), try ints("/fit/at_boundary"))
        let fits = fr.indices.map {
            Fit(replicate: fr[$0], minimumSteps: fs[$0], criticalBatch: fc[$0], predicted: fp[$0], logResidual: fl[$0], atBoundary: fa[$0] != 0)
        }
        return CriticalBatchTable(targetValLoss: target, windowEpochs: Int(window), runs: runs, best: best, fits: fits)
    }
}
