// The typed errors of the study's stages and files (checkpoints, resume files, analysis objects): what went wrong,
// in which stage or file, and how to fix it. Here, in the lowest study module, so Training, StudyReport and Study share it.
import Foundation

public enum StudyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `preprocess` was run without a data folder.
    case noDataFolder(stage: String)
    /// An input object does not have the layout a stage expects.
    case badInput(stage: String, file: String, detail: String)
    /// A parameter value outside its allowed set or range.
    case badParameter(stage: String, name: String, value: String, expected: String)
    /// A resume checkpoint exists but cannot be used (it is then ignored, never trusted blindly).
    case badResumeState(path: String, detail: String)
    /// A stage with `workers` > 1 found no mpirun to start its ranks.
    case mpiUnavailable(stage: String, workers: Int, detail: String)
    /// The MPI ranks of a stage failed (a rank threw or crashed, or mpirun could not start them).
    case ranksFailed(stage: String, workers: Int, detail: String)

    public var description: String {
        switch self {
        case .noDataFolder(let stage):
            return """
                \(stage): no data folder given.
                HINT: pass the folder of Cats vs Dogs photos with --set \(stage).folder=PATH, e.g. \
                `batchlab reproduce pipelines/cats-vs-dogs.yaml --set \(stage).folder=/data/PetImages`. Public copies: \
                Microsoft's "Kaggle Cats and Dogs Dataset" download (PetImages/Cat, PetImages/Dog) or the train.zip \
                of Kaggle's "Dogs vs. Cats" competition (train/cat.0.jpg, ...). Without photos, `make reproduce` runs \
                the study on the generated set (pipelines/study.yaml).
                """
        case let .badInput(stage, file, detail):
            return "\(stage): input \(file) is not usable: \(detail).\nHINT: the producing stage's code changed or the "
                + "object is damaged; run `batchlab verify` and reproduce again."
        case let .badParameter(stage, name, value, expected):
            return "\(stage): parameter \(name) = \(value) is invalid: expected \(expected).\nHINT: fix it in the pipeline "
                + "file or with --set \(stage.split(separator: "@").first.map(String.init) ?? stage).\(name)=VALUE."
        case let .badResumeState(path, detail):
            return "resume checkpoint \(path) is unusable (\(detail)); delete it to start the stage from scratch."
        case let .mpiUnavailable(stage, workers, detail):
            return "\(stage): workers = \(workers) runs the stage as MPI ranks, but \(detail)"
        case let .ranksFailed(stage, workers, detail):
            return "\(stage): its \(workers) MPI ranks failed; nothing was stored. \(detail)"
        }
    }
}
