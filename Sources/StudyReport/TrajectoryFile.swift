// The `trajectory` object (issue 14 §4, F20): the top-2 PCA directions of a run's θ_e − θ_final, their
// explained variance, the path projected onto them and the training loss on that plane.
//
// Layout:
//   /pca/directions float32 (2, P) · /pca/explained float64 (2): variance fraction of d₁, d₂
//   /path/epoch int64 (T) (0 = θ_init, then the snapshots, then the final epoch) · /path/x, /path/y float64 (T)
//   /grid/xcoordinates (nx), /grid/ycoordinates (ny) float64 · /grid/train_loss, /grid/train_acc float64 (nx, ny)
//   attributes on /: batch_size, lr, replicate, final_epoch, train_count, subset_count
import Foundation
import Store
import Training

public struct TrajectoryTable: Sendable, Equatable {
    public var batchSize: Int, learningRate: Double, replicate: Int, finalEpoch: Int
    public var trainCount: Int, subsetCount: Int
    public var directions: [[Float]]
    public var explained: [Double]
    public var epochs: [Int], x: [Double], y: [Double]
    /// The grid: loss[i * ny + j] at (gridX[i], gridY[j]).
    public var gridX: [Double], gridY: [Double], trainLoss: [Double], trainAccuracy: [Double]

    public init(batchSize: Int, learningRate: Double, replicate: Int, finalEpoch: Int, trainCount: Int, subsetCount: Int,
                directions: [[Float]], explained: [Double], epochs: [Int], x: [Double], y: [Double],
                gridX: [Double], gridY: [Double], trainLoss: [Double], trainAccuracy: [Double]) {
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.replicate = replicate
        self.finalEpoch = finalEpoch
        self.trainCount = trainCount
        self.subsetCount = subsetCount
        self.directions = directions
        self.explained = explained
        self.epochs = epochs
        self.x = x
        self.y = y
        self.gridX = gridX
        self.gridY = gridY
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
    }

    public func write(to path: String) throws {
        let out = try HDF5File.create(path)
        let p = directions.first?.count ?? 0
        try out.write("/pca/directions", HDF5Array(shape: [directions.count, p], values: directions.flatMap { $0 }))
        try out.write("/pca/explained", HDF5Array(shape: [explained.count], values: explained))
        try out.write("/path/epoch", HDF5Array(shape: [epochs.count], values: epochs.map { Int64($0) }))
        try out.write("/path/x", HDF5Array(shape: [x.count], values: x))
        try out.write("/path/y", HDF5Array(shape: [y.count], values: y))
        try out.write("/grid/xcoordinates", HDF5Array(shape: [gridX.count], values: gridX))
        try out.write("/grid/ycoordinates", HDF5Array(shape: [gridY.count], values: gridY))
        try out.write("/grid/train_loss", HDF5Array(shape: [gridX.count, gridY.count], values: trainLoss))
        try out.write("/grid/train_acc", HDF5Array(shape: [gridX.count, gridY.count], values: trainAccuracy))
        let attributes: [(String, HDF5AttributeValue)] = [
            ("batch_size", .int(Int64(batchSize))), ("lr", .double(learningRate)), ("replicate", .int(Int64(replicate))),
            ("final_epoch", .int(Int64(finalEpoch))), ("train_count", .int(Int64(trainCount))), ("subset_count", .int(Int64(subsetCount))),
        ]
        for (name, value) in attributes { try out.setAttribute(name, value) }
        try out.close()
    }

    public static func read(_ url: URL, stage: String) throws -> TrajectoryTable {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        func int(_ name: String) throws -> Int {
            guard case .int(let v) = try file.attribute(name) else {
                throw StudyError.badInput(stage: stage, file: url.path, detail: "attribute \(name) is not an integer; is this a trajectory object?")
            }
            return Int(v)
        }
        guard case .double(let lr) = try file.attribute("lr") else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "attribute lr is missing; is this a trajectory object?")
        }
        let info = try file.info("/pca/directions")
        let flat = try file.read("/pca/directions", as: Float.self).values
        let p = info.shape.count == 2 ? Int(info.shape[1]) : 0
        return TrajectoryTable(
            batchSize: try int("batch_size"), learningRate: lr, replicate: try int("replicate"), finalEpoch: try int("final_epoch"),
            trainCount: try int("train_count"), subsetCount: try int("subset_count"),
            directions: p > 0 ? (0..<(flat.count / p)).map { Array(flat[($0 * p)..<(($0 + 1) * p)]) } : [],
            explained: try file.read("/pca/explained", as: Double.self).values,
            epochs: try file.read("/path/epoch", as: Int64.self).values.map { Int($0) },
            x: try file.read("/path/x", as: Double.self).values, y: try file.read("/path/y", as: Double.self).values,
            gridX: try file.read("/grid/xcoordinates", as: Double.self).values, gridY: try file.read("/grid/ycoordinates", as: Double.self).values,
            trainLoss: try file.read("/grid/train_loss", as: Double.self).values,
            trainAccuracy: try file.read("/grid/train_acc", as: Double.self).values)
    }
}
