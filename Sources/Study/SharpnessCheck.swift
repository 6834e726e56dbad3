// Spec S7's acceptance rule on a real checkpoint: the maximum L-BFGS-B reaches in the sharpness
// problem against projected-gradient ascent (y ← P(y + η∇f)) from the same start, same iterations.
// Used by the `sharpness-check` program; the stage itself runs only L-BFGS-B.
import Foundation
import Landscape
import NN
import Pipeline
import Training

public struct AscentComparison: Sendable {
    public var fX: Double
    public var lbfgsb: SharpnessMeasurement
    /// (step size η, best f over its iterations, evaluations).
    public var ascent: [(step: Double, best: Double, evaluations: Int)]
}

extension KeskarSharpness {
    public static func compareWithProjectedGradientAscent(checkpoint: URL, data: URL, split: URL, epsilon: Double, trainSubset: Int,
                                                          subsetSeed: UInt64, iterations: Int, memory: Int, startSeed: UInt64,
                                                          steps: [Double], threads: Int) throws -> AscentComparison {
        let stage = "sharpness-check"
        let run = try TrainedRun.load(checkpoint, stage: stage)
        let context = StageContext(instance: stage, parameters: [:], inputs: ["data": [data], "split": [split]], outputs: [:],
                                   scratch: FileManager.default.temporaryDirectory, threads: threads)
        let (shape, fullTrain, _) = try TrainStage.loadSplitSets(context)
        try run.requireFits(imageShape: shape, dataPath: data.path, stage: stage)
        let train = fullTrain.subset(count: trainSubset, seed: subsetSeed)
        let loss = DatasetLoss(network: Network(model: run.model, maxBatch: EvaluationBatch.networkBatch(count: train.count), threads: threads), data: train)
        let ours = try measure(x: run.thetaMin, loss: loss, epsilons: [epsilon], iterations: iterations, memory: memory,
                               startSeed: startSeed)[0]
        let radius = radius(x: run.thetaMin, epsilon: epsilon)
        var gradient = [Double](repeating: 0, count: radius.count)
        func f(_ y: [Double]) -> Double {
            y.withUnsafeBufferPointer { yb in gradient.withUnsafeMutableBufferPointer { loss.evaluate(x: run.thetaMin, y: yb, gradient: $0) } }
        }
        let ascent = steps.map { step -> (step: Double, best: Double, evaluations: Int) in
            var y = start(radius: radius, seed: startSeed, index: 0)
            var best = f(y)
            for _ in 0..<iterations {
                for i in y.indices { y[i] = min(max(y[i] + step * gradient[i], -radius[i]), radius[i]) }
                best = max(best, f(y))
            }
            return (step, best, iterations + 1)
        }
        return AscentComparison(fX: ours.fX, lbfgsb: ours, ascent: ascent)
    }
}
