// `evaluate`: every minimizer θ_min (the parameters early stopping chose on the validation set) scored
// on the held-out test set — a fresh draw of thousands of generated images that no run saw, so the
// generalisation claims rest on a large sample rather than on the validation set (issue 13 §2).
// One object for all runs: the report reads it whole (layout: StudyReport/EvaluationFile.swift).
import Foundation
import Landscape
import NN
import Pipeline
import Store
import StudyReport
import Training

public struct EvaluateStage: Stage {
    public static let kind = "evaluate"
    // Runs the network: BLAS and the conv engine.
    public static let numerics = StageNumerics.kernels
    public static let codeVersion = 1
    public static let summary = "loss and accuracy of every run's θ_min on the held-out test set"
    public static let inputs = [
        InputSpec("runs", many: true, help: "train checkpoints"),
        InputSpec("test", help: "the held-out test set (generate's `test` output)"),
    ]
    public static let outputs = [OutputSpec("evaluation", .hdf5, help: "/runs: batch_size, lr, workers, replicate, test_loss, test_accuracy")]

    public static func run(_ context: StageContext) throws {
        let stage = context.instance
        let testURL = context.input("test")
        let file = try HDF5File.open(testURL.path)
        defer { try? file.close() }
        let labels = try ImageSetFile.readLabels(file, stage: stage)
        let shape = try file.info(ImageSetFile.images).shape
        let pixels = try file.read(ImageSetFile.images, as: UInt8.self).values
        let test = TrainingData(pixels: pixels, labels: labels, imageSize: shape[1] * shape[2] * shape[3], indices: Array(labels.indices))
        let batch = EvaluationBatch.networkBatch(count: test.count)
        var rows: [TestEvaluation.Run] = []
        var network: Network?
        let urls = context.inputs("runs")
        for (i, url) in urls.enumerated() {
            let run = try TrainedRun.load(url, stage: stage)
            try run.requireFits(imageShape: shape, dataPath: testURL.path, stage: stage)
            if network?.model != run.model { network = Network(model: run.model, maxBatch: batch, threads: context.threads) }
            let stats = run.thetaMin.withUnsafeBufferPointer { theta in
                test.images.withUnsafeBufferPointer { x in
                    test.labels.withUnsafeBufferPointer { y in network!.evaluateSet(parameters: theta, images: x, labels: y) }
                }
            }
            rows.append(TestEvaluation.Run(batchSize: run.batchSize, learningRate: run.learningRateAsWritten,
                                           workers: try workers(of: url), replicate: run.replicate,
                                           testLoss: stats.meanLoss, testAccuracy: stats.accuracy))
            context.progress(String(format: "run %d/%d: bs %d test loss %.4f", i + 1, urls.count, run.batchSize, stats.meanLoss))
        }
        try TestEvaluation(runs: rows, testCount: test.count, evaluationBatch: batch).write(to: context.output("evaluation").path)
        context.metric("test_images", Double(test.count))
    }

    /// The checkpoint's `workers` attribute (absent before it existed: one process).
    static func workers(of url: URL) throws -> Int {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        if case .int(let w)? = try? file.attribute("workers") { return Int(w) }
        return 1
    }
}
