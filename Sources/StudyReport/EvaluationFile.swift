// The `evaluate` object: every minimizer θ_min scored on the held-out test set (a fresh draw of the
// generator, never used for early stopping). Written by EvaluateStage, read by the report (the
// generalisation figures and claims 1 and 6 use it when present).
//
// Layout (R runs, in the order of the stage's `runs` input):
//   /runs/batch_size, /runs/workers, /runs/replicate  int64 (R)
//   /runs/lr, /runs/test_loss, /runs/test_accuracy    float64 (R)
//   attributes: test_count (images), evaluation_batch
import Foundation
import Store
import Training

public struct TestEvaluation: Sendable, Equatable {
    public struct Run: Sendable, Equatable {
        public var batchSize: Int, learningRate: Double, workers: Int, replicate: Int
        public var testLoss: Double, testAccuracy: Double

        public init(batchSize: Int, learningRate: Double, workers: Int, replicate: Int, testLoss: Double, testAccuracy: Double) {
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.workers = workers
            self.replicate = replicate
            self.testLoss = testLoss
            self.testAccuracy = testAccuracy
        }
    }

    public var runs: [Run]
    public var testCount: Int
    public var evaluationBatch: Int

    public init(runs: [Run], testCount: Int, evaluationBatch: Int) {
        self.runs = runs
        self.testCount = testCount
        self.evaluationBatch = evaluationBatch
    }

    /// The row of one training run (same batch size, lr, workers and replicate).
    public func run(batchSize: Int, learningRate: Double, workers: Int, replicate: Int) -> Run? {
        runs.first { $0.batchSize == batchSize && DistanceTable.sameLearningRate($0.learningRate, learningRate)
            && $0.workers == workers && $0.replicate == replicate }
    }

    public func write(to path: String) throws {
        let file = try HDF5File.create(path)
        let n = runs.count
        func ints(_ name: String, _ f: (Run) -> Int) throws { try file.write(name, HDF5Array(shape: [n], values: runs.map { Int64(f($0)) })) }
        func doubles(_ name: String, _ f: (Run) -> Double) throws { try file.write(name, HDF5Array(shape: [n], values: runs.map(f))) }
        try ints("/runs/batch_size", \.batchSize)
        try ints("/runs/workers", \.workers)
        try ints("/runs/replicate", \.replicate)
        try doubles("/runs/lr", \.learningRate)
        try doubles("/runs/test_loss", \.testLoss)
        try doubles("/runs/test_accuracy", \.testAccuracy)
        try file.setAttribute("test_count", .int(Int64(testCount)))
        try file.setAttribute("evaluation_batch", .int(Int64(evaluationBatch)))
        try file.close()
    }

    public static func read(_ url: URL, stage: String) throws -> TestEvaluation {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        func ints(_ name: String) throws -> [Int] { try file.read(name, as: Int64.self).values.map(Int.init) }
        func doubles(_ name: String) throws -> [Double] { try file.read(name, as: Double.self).values }
        let bs = try ints("/runs/batch_size"), workers = try ints("/runs/workers"), replicate = try ints("/runs/replicate")
        let lr = try doubles("/runs/lr"), loss = try doubles("/runs/test_loss"), accuracy = try doubles("/runs/test_accuracy")
        guard Set([bs.count, workers.count, replicate.count, lr.count, loss.count, accuracy.count]).count == 1 else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "the /runs datasets differ in length")
        }
        guard case .int(let count) = try file.attribute("test_count"), case .int(let batch) = try file.attribute("evaluation_batch") else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "attributes test_count, evaluation_batch")
        }
        return TestEvaluation(runs: bs.indices.map {
            Run(batchSize: bs[$0], learningRate: lr[$0], workers: workers[$0], replicate: replicate[$0], testLoss: loss[$0],
                testAccuracy: accuracy[$0])
        }, testCount: Int(count), evaluationBatch: Int(batch))
    }
}
