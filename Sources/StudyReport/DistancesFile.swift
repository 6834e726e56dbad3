// The `distances` object: per training run, how far the weights moved (total, per layer, per epoch),
// how large the updates were (quartiles and a log-binned histogram), when the minimum came, and the
// small/large-batch epoch-distance ratio. Written by DistancesStage, read by the report.
//
// Layout (R runs, sorted by (lr, batch size, workers, replicate); L layers; E epochs of the longest run; B bins):
//   /runs/batch_size, /runs/workers, /runs/epochs_run, /runs/epoch_min, /runs/replicate   int64 (R)
//   /runs/lr, /runs/distance_min (‖θ_min − θ_init‖), /runs/distance_final (‖θ_final − θ_init‖),
//   /runs/min_train_loss, /runs/min_val_loss, /runs/train_loss_at_min     float64 (R)
//   /layers/distance_min, /layers/distance_final   float64 (R, L)   attribute `names` on /layers (conv1,…,out)
//   /epochs/distance                               float64 (R, E)   NaN after a run's last epoch
//   /updates/median, /updates/q1, /updates/q3, /updates/min, /updates/max, /updates/count  float64 (R)
//   /updates/bin_edges float64 (B+1) log-spaced, shared;  /updates/histogram float64 (R, B) fraction per bin
//   /ratio/epoch_distance float64 (n) small/large epoch distance per epoch (n = shorter run; 0 if either
//   run is absent); attributes small_batch_size, large_batch_size, lr on /ratio
import Foundation
import Store
import Training

public struct DistanceTable: Sendable, Equatable {
    /// Whether two learning rates are the same run setting (a checkpoint holds Float(lr) widened).
    public static func sameLearningRate(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(abs(a), abs(b)) }

    public struct Run: Sendable, Equatable {
        public var batchSize: Int
        public var learningRate: Double
        public var workers: Int
        public var epochsRun: Int
        public var epochMin: Int
        public var distanceMin: Double
        public var distanceFinal: Double
        public var minTrainLoss: Double
        public var minValidationLoss: Double
        public var trainLossAtMin: Double
        public var layerDistanceMin: [Double]
        public var layerDistanceFinal: [Double]
        public var epochDistance: [Double]
        public var updateMedian: Double
        public var updateQ1: Double
        public var updateQ3: Double
        public var updateMin: Double
        public var updateMax: Double
        public var updateCount: Int
        public var updateHistogram: [Double]
        /// The replicate (from 1) of the run; files written before replicates existed have none: 1.
        public var replicate: Int

        public init(batchSize: Int, learningRate: Double, workers: Int, epochsRun: Int, epochMin: Int,
                    distanceMin: Double, distanceFinal: Double, minTrainLoss: Double, minValidationLoss: Double,
                    trainLossAtMin: Double, layerDistanceMin: [Double], layerDistanceFinal: [Double],
                    epochDistance: [Double], updateMedian: Double, updateQ1: Double, updateQ3: Double,
                    updateMin: Double, updateMax: Double, updateCount: Int, updateHistogram: [Double], replicate: Int = 1) {
            self.replicate = replicate
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.workers = workers
            self.epochsRun = epochsRun
            self.epochMin = epochMin
            self.distanceMin = distanceMin
            self.distanceFinal = distanceFinal
            self.minTrainLoss = minTrainLoss
            self.minValidationLoss = minValidationLoss
            self.trainLossAtMin = trainLossAtMin
            self.layerDistanceMin = layerDistanceMin
            self.layerDistanceFinal = layerDistanceFinal
            self.epochDistance = epochDistance
            self.updateMedian = updateMedian
            self.updateQ1 = updateQ1
            self.updateQ3 = updateQ3
            self.updateMin = updateMin
            self.updateMax = updateMax
            self.updateCount = updateCount
            self.updateHistogram = updateHistogram
        }
    }

    public var layerNames: [String]
    public var runs: [Run]
    public var binEdges: [Double]
    public var ratio: [Double]
    public var ratioSmallBatch: Int
    public var ratioLargeBatch: Int
    public var ratioLearningRate: Double

    public func write(to path: String) throws {
        let file = try HDF5File.create(path)
        let r = runs.count
        func ints(_ name: String, _ f: (Run) -> Int) throws {
            try file.write(name, HDF5Array(shape: [r], values: runs.map { Int64(f($0)) }))
        }
        func doubles(_ name: String, _ f: (Run) -> Double) throws {
            try file.write(name, HDF5Array(shape: [r], values: runs.map(f)))
        }
        try ints("/runs/batch_size", \.batchSize)
        try ints("/runs/workers", \.workers)
        try ints("/runs/epochs_run", \.epochsRun)
        try ints("/runs/epoch_min", \.epochMin)
        try ints("/runs/replicate", \.replicate)
        try doubles("/runs/lr", \.learningRate)
        try doubles("/runs/distance_min", \.distanceMin)
        try doubles("/runs/distance_final", \.distanceFinal)
        try doubles("/runs/min_train_loss", \.minTrainLoss)
        try doubles("/runs/min_val_loss", \.minValidationLoss)
        try doubles("/runs/train_loss_at_min", \.trainLossAtMin)
        let l = layerNames.count
        try file.write("/layers/distance_min", HDF5Array(shape: [r, l], values: runs.flatMap(\.layerDistanceMin)))
        try file.write("/layers/distance_final", HDF5Array(shape: [r, l], values: runs.flatMap(\.layerDistanceFinal)))
        try file.setAttribute("names", .string(layerNames.joined(separator: ",")), at: "/layers")
        let e = runs.map(\.epochDistance.count).max() ?? 0
        try file.write("/epochs/distance", HDF5Array(shape: [r, e], values: runs.flatMap {
            $0.epochDistance + Array(repeating: .nan, count: e - $0.epochDistance.count)
        }))
        try doubles("/updates/median", \.updateMedian)
        try doubles("/updates/q1", \.updateQ1)
        try doubles("/updates/q3", \.updateQ3)
        try doubles("/updates/min", \.updateMin)
        try doubles("/updates/max", \.updateMax)
        try doubles("/updates/count") { Double($0.updateCount) }
        try file.write("/updates/bin_edges", HDF5Array(shape: [binEdges.count], values: binEdges))
        try file.write("/updates/histogram", HDF5Array(shape: [r, binEdges.count - 1], values: runs.flatMap(\.updateHistogram)))
        try file.write("/ratio/epoch_distance", HDF5Array(shape: [ratio.count], values: ratio))
        try file.setAttribute("small_batch_size", .int(Int64(ratioSmallBatch)), at: "/ratio")
        try file.setAttribute("large_batch_size", .int(Int64(ratioLargeBatch)), at: "/ratio")
        try file.setAttribute("lr", .double(ratioLearningRate), at: "/ratio")
        try file.close()
    }

    public static func read(_ url: URL, stage: String) throws -> DistanceTable {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        func ints(_ name: String) throws -> [Int] { try file.read(name, as: Int64.self).values.map { Int($0) } }
        func doubles(_ name: String) throws -> [Double] { try file.read(name, as: Double.self).values }
        func rows(_ name: String) throws -> [[Double]] {
            let a = try file.read(name, as: Double.self)
            let width = a.shape.count == 2 ? a.shape[1] : 0
            return (0..<(a.shape.first ?? 0)).map { Array(a.values[($0 * width)..<(($0 + 1) * width)]) }
        }
        guard case .string(let names) = try file.attribute("names", at: "/layers"),
              case .int(let small) = try file.attribute("small_batch_size", at: "/ratio"),
              case .int(let large) = try file.attribute("large_batch_size", at: "/ratio"),
              case .double(let lr) = try file.attribute("lr", at: "/ratio") else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "the attributes of /layers or /ratio are missing")
        }
        let bs = try ints("/runs/batch_size"), workers = try ints("/runs/workers"), run = try ints("/runs/epochs_run")
        let epochMin = try ints("/runs/epoch_min"), lrs = try doubles("/runs/lr")
        let replicates = try file.exists("/runs/replicate") ? try ints("/runs/replicate") : bs.map { _ in 1 }
        let dMin = try doubles("/runs/distance_min"), dFinal = try doubles("/runs/distance_final")
        let minTrain = try doubles("/runs/min_train_loss"), minVal = try doubles("/runs/min_val_loss")
        let trainAtMin = try doubles("/runs/train_loss_at_min")
        let layerMin = try rows("/layers/distance_min"), layerFinal = try rows("/layers/distance_final")
        let epochs = try rows("/epochs/distance"), histogram = try rows("/updates/histogram")
        let median = try doubles("/updates/median"), q1 = try doubles("/updates/q1"), q3 = try doubles("/updates/q3")
        let lo = try doubles("/updates/min"), hi = try doubles("/updates/max"), count = try doubles("/updates/count")
        let runs = bs.indices.map { i in
            Run(batchSize: bs[i], learningRate: lrs[i], workers: workers[i], epochsRun: run[i], epochMin: epochMin[i],
                distanceMin: dMin[i], distanceFinal: dFinal[i], minTrainLoss: minTrain[i], minValidationLoss: minVal[i],
                trainLossAtMin: trainAtMin[i], layerDistanceMin: layerMin[i], layerDistanceFinal: layerFinal[i],
                epochDistance: Array(epochs[i].prefix(run[i])), updateMedian: median[i], updateQ1: q1[i], updateQ3: q3[i],
                updateMin: lo[i], updateMax: hi[i], updateCount: Int(count[i]), updateHistogram: histogram[i],
                replicate: replicates[i])
        }
        return DistanceTable(layerNames: names.split(separator: ",").map(String.init), runs: runs,
                             binEdges: try doubles("/updates/bin_edges"), ratio: try doubles("/ratio/epoch_distance"),
                             ratioSmallBatch: Int(small), ratioLargeBatch: Int(large), ratioLearningRate: lr)
    }

    public init(layerNames: [String], runs: [Run], binEdges: [Double], ratio: [Double], ratioSmallBatch: Int,
                ratioLargeBatch: Int, ratioLearningRate: Double) {
        self.layerNames = layerNames
        self.runs = runs
        self.binEdges = binEdges
        self.ratio = ratio
        self.ratioSmallBatch = ratioSmallBatch
        self.ratioLargeBatch = ratioLargeBatch
        self.ratioLearningRate = ratioLearningRate
    }
}
