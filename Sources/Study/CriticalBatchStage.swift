// `critical_batch`: steps (updates) to a target validation loss for every training run, the best
// learning rate of each batch size, McCandlish et al.'s S = S_min(1 + B_noise/B) fitted to those
// best steps (the measured critical batch size, the knee) and the gradient noise scale B_simple
// recorded during training at the target (the predicted one); issue 14 §1, figure F19. One instance
// fits one replicate: `replicates: N` (as on train and train_grid) gives one fit per replicate, each
// reading its own replicate's runs, so claim 9 has an interval across initialisations.
import Foundation
import Pipeline
import Statistics
import StudyReport
import Training

public struct CriticalBatchStage: Stage {
    public static let kind = "critical_batch"
    // Fits over its inputs' numbers in plain Swift: no BLAS.
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 1
    public static let summary = "steps to a target validation loss per batch size at its best lr; S = S_min(1 + B_noise/B) vs B_simple"
    public struct Parameters: StageParameters {
        public var targetValLoss = 0.4
        public var windowEpochs = 5
        public var replicate = 1

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("target_val_loss", \.targetValLoss,
                    help: "the target validation loss (every batch size must reach it at one of its learning rates)", range: .greaterThan(0)),
             .field("window_epochs", \.windowEpochs,
                    help: "epochs ending at the target whose noise-scale estimates are pooled into B_simple", range: .atLeast(1)),
             .field(Replicates.parameter, \.replicate,
                    help: "the replicate fitted (set by `replicates: N`; `runs: train.checkpoint` then reads that replicate's runs)",
                    range: .atLeast(1))]
        }
    }
    public static let inputs = [InputSpec("runs", many: true, help: "train checkpoints (a grid of learning rates per batch size)")]
    public static let outputs = [OutputSpec("critical", .hdf5, help: "steps to target, best lr per batch size, the fit and B_simple")]

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let urls = context.inputs("runs")
        let histories = try urls.map { try TrainingHistory.load($0, stage: context.instance) }
        // Runs of another replicate would add a second fit to an object the report counts as one replicate's.
        if let i = histories.firstIndex(where: { $0.replicate != p.replicate }) {
            throw StudyError.badInput(stage: context.instance, file: urls[i].path,
                                      detail: "it is a run of replicate \(histories[i].replicate) but the stage fits replicate \(p.replicate); "
                                          + "give critical_batch the same `replicates:` as its train stages, or fix the replicate in the "
                                          + "reference (`train@replicate=1.checkpoint`)")
        }
        let table = try CriticalBatchAnalysis.analyse(histories, target: p.targetValLoss, window: p.windowEpochs, stage: context.instance)
        try table.write(to: context.output("critical").path)
        for fit in table.fits {
            let tag = fit.replicate > 1 ? "[replicate=\(fit.replicate)]" : ""
            context.metric("b_crit_measured\(tag)", fit.criticalBatch)
            if fit.predicted.isFinite { context.metric("b_simple_predicted\(tag)", fit.predicted) }
            context.metric("s_min\(tag)", fit.minimumSteps)
        }
    }
}

/// The pure part of `critical_batch`, tested without files.
public enum CriticalBatchAnalysis {
    public static func analyse(_ histories: [TrainingHistory], target: Double, window: Int, stage: String) throws -> CriticalBatchTable {
        let runs = histories.map { h -> CriticalBatchTable.Run in
            let epoch = h.epochReaching(target)
            let b = epoch.flatMap { h.pooledNoise(endingAt: $0, window: window) }?.bSimple ?? .nan
            return CriticalBatchTable.Run(batchSize: h.batchSize, learningRate: h.learningRate, replicate: h.replicate,
                                          stepsPerEpoch: h.stepsPerEpoch, epochToTarget: epoch, bSimple: b)
        }.sorted { ($0.replicate, $0.batchSize, $0.learningRate) < ($1.replicate, $1.batchSize, $1.learningRate) }
        var best: [CriticalBatchTable.Best] = []
        var fits: [CriticalBatchTable.Fit] = []
        for replicate in Set(runs.map(\.replicate)).sorted() {
            let mine = runs.filter { $0.replicate == replicate }
            var chosen: [(run: CriticalBatchTable.Run, pooled: NoiseScaleEpoch?)] = []
            for bs in Set(mine.map(\.batchSize)).sorted() {
                // Fewest steps; on a tie the smaller lr (the order is by lr).
                guard let fastest = mine.filter({ $0.batchSize == bs && $0.stepsToTarget != nil })
                    .min(by: { $0.stepsToTarget! < $1.stepsToTarget! }) else { continue }
                let history = histories.first { $0.replicate == replicate && $0.batchSize == bs && $0.learningRate == fastest.learningRate }!
                chosen.append((fastest, history.pooledNoise(endingAt: fastest.epochToTarget!, window: window)))
                best.append(.init(replicate: replicate, batchSize: bs, learningRate: fastest.learningRate,
                                  steps: Double(fastest.stepsToTarget!), bSimple: fastest.bSimple))
            }
            guard chosen.count >= 2 else { continue }
            let model = try ScalingFit.fit(batchSizes: chosen.map { Double($0.run.batchSize) }, steps: chosen.map { Double($0.run.stepsToTarget!) })
            // The prediction pools every best run's window: Σ tr(Σ)·n / Σ |G|²·n.
            let pooled = chosen.compactMap(\.pooled)
            let trace = pooled.reduce(0) { $0 + $1.trace * Double($1.batches) }
            let g2 = pooled.reduce(0) { $0 + $1.gradientSquared * Double($1.batches) }
            fits.append(.init(replicate: replicate, minimumSteps: model.minimumSteps, criticalBatch: model.criticalBatch,
                              predicted: g2 > 0 ? trace / g2 : .nan, logResidual: model.logResidual, atBoundary: model.atBoundary))
        }
        guard !fits.isEmpty else {
            let reached = Set(runs.filter { $0.epochToTarget != nil }.map(\.batchSize)).sorted()
            throw StudyError.badParameter(stage: stage, name: "target_val_loss", value: "\(target)",
                                          expected: "a loss that at least two batch sizes reach (reached by bs \(reached)); raise it")
        }
        return CriticalBatchTable(targetValLoss: target, windowEpochs: window, runs: runs, best: best, fits: fits)
    }
}
