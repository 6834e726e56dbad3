// The `grid` object of a landscape stage, modelled on Li et al.'s surface files, with the index order
// stated (their tool mis-maps non-square grids):
//   /xcoordinates float64 (nx) · /ycoordinates float64 (ny)
//   /train_loss, /train_acc float64 (nx, ny): [i, j] is at (xcoordinates[i], ycoordinates[j])
//   /directions/x, /directions/y float32 (P): δ and η in the checkpoint's /layout order
//   attributes on /: index_order, batch_size, lr, direction_seed, x_seed, y_seed, normalisation,
//   ignore_biases, train_subset, subset_seed, data, theta, model, evaluation_batch
import Landscape
import Store
import Training

public enum LandscapeFile {
    static let indexOrder = "train_loss[i, j] is at (xcoordinates[i], ycoordinates[j])"

    public static func write(_ job: LandscapeJob, _ results: GridResults, to path: String) throws {
        precondition(results.completed == job.axes.pointCount, "writing a grid with points missing")
        let (nx, ny) = (job.axes.x.count, job.axes.y.count)
        let file = try HDF5File.create(path)
        try file.write("/xcoordinates", HDF5Array(shape: [nx], values: job.axes.x))
        try file.write("/ycoordinates", HDF5Array(shape: [ny], values: job.axes.y))
        try file.write("/train_loss", HDF5Array(shape: [nx, ny], values: results.loss))
        try file.write("/train_acc", HDF5Array(shape: [nx, ny], values: results.accuracy))
        try file.write("/directions/x", HDF5Array(shape: [job.dx.count], values: job.dx))
        try file.write("/directions/y", HDF5Array(shape: [job.dy.count], values: job.dy))
        let seeds = Directions.seeds(directionSeed: job.directionSeed)
        let attributes: [(String, HDF5AttributeValue)] = [
            ("index_order", .string(indexOrder)),
            ("batch_size", .int(Int64(job.run.batchSize))),
            ("lr", .double(job.run.learningRate)),
            ("direction_seed", .int(Int64(bitPattern: job.directionSeed))),
            ("x_seed", .int(Int64(bitPattern: seeds.x))),
            ("y_seed", .int(Int64(bitPattern: seeds.y))),
            ("normalisation", .string(job.normalisation.rawValue)),
            ("ignore_biases", .int(1)),
            ("train_subset", .int(Int64(job.trainSubset))),
            ("subset_seed", .int(Int64(bitPattern: job.subsetSeed))),
            ("data", .string(job.dataDescription)),
            ("theta", .string("theta_min")),
            ("model", .string(job.run.model.spec.description)),
            ("evaluation_batch", .int(Int64(GridEvaluator.batch))),
        ]
        for (name, value) in attributes { try file.setAttribute(name, value) }
        try file.close()
    }
}
