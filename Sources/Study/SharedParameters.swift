// The parameter groups several analysis kinds share, one type each (StageParameters.swift): the
// seeded subset of training images an analysis evaluates, and the training run it refers to.
// Each kind nests them with `.group(\.subset)` and picks its own defaults in its `init()`.
import Datasets
import Landscape
import NN
import Pipeline
import Training

/// `train_subset` + `subset_seed`: the training images an analysis evaluates its loss on.
public struct ImageSubset: StageParameters, Equatable {
    /// Images in the subset; 0 = the whole training set.
    public var size = 1000
    public var seed = 1

    public init() {}
    public init(size: Int, seed: Int = 1) {
        self.size = size
        self.seed = seed
    }

    public static var bindings: [ParamBinding<ImageSubset>] {
        [.field("train_subset", \.size, help: "training images evaluated (0 = all), a seeded subset", range: .atLeast(0)),
         .field("subset_seed", \.seed, help: "seed of the training subset")]
    }

    /// The seeded subset of `train` (all of it when `size` is 0 or above its count).
    public func of(_ train: TrainingData) -> TrainingData { train.subset(count: size, seed: UInt64(truncatingIfNeeded: seed)) }
}

/// `batch_size` + `lr` + `replicate`: which train run an analysis measures. They route a fan-out's
/// references to the matching train instance (`train@batch_size=…`) and are checked against the
/// checkpoint; 0 means any batch size or learning rate (an analysis wired to one checkpoint by hand).
public struct RunReference: StageParameters, Equatable {
    public var batchSize = 0
    public var lr = 0.0
    public var replicate = 1

    public init() {}

    public static var bindings: [ParamBinding<RunReference>] {
        [.field("batch_size", \.batchSize, help: "the checkpoint's batch size (0 = any)", range: .atLeast(0)),
         .field("lr", \.lr, help: "the checkpoint's learning rate (0 = any)", range: .atLeast(0)),
         .field(Replicates.parameter, \.replicate,
                help: "the checkpoint's replicate (set by `replicates: N`; selects the train instance of the same replicate)",
                range: .atLeast(1))]
    }

    /// Throws unless `run` is the run named here (its replicate always; batch size and lr when > 0).
    func requireMatches(_ run: TrainedRun, stage: String) throws {
        if replicate != run.replicate {
            throw StudyError.badInput(stage: stage, file: run.path,
                                      detail: "it is replicate \(run.replicate) but the stage is replicate \(replicate); "
                                          + "give the analysis the same `replicates:` as its train stage")
        }
        // The checkpoint stores lr as the Float it trained with.
        if batchSize > 0 && batchSize != run.batchSize || lr > 0 && Float(lr) != Float(run.learningRate) {
            throw StudyError.badInput(stage: stage, file: run.path,
                                      detail: "it is the run batch_size=\(run.batchSize), lr=\(run.learningRateAsWritten) but the stage "
                                          + "asks for batch_size=\(batchSize), lr=\(lr); check the checkpoint input's reference")
        }
    }
}

// The study's closed sets, written as strings in pipeline files; their cases are the choices checked at load.
extension PatienceUnit: ParamChoice {}
extension DirectionNormalisation: ParamChoice {}
extension CorruptDataPolicy: ParamChoice {}
