// `split`: a stratified, seeded train/validation split of an image-set object, as two index lists.
// Separate from decoding so that a new split seed never decodes a photo again.
import Datasets
import Foundation
import Pipeline
import Store
import Training

public struct SplitStage: Stage {
    public static let kind = "split"
    // Index shuffling: integer work.
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 1
    public static let summary = "stratified seeded train/validation split → /train, /validation index lists"

    public struct Parameters: StageParameters {
        public var seed = 1
        public var validationFraction = 0.2

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("seed", \.seed, help: "split seed"),
             .field("validation_fraction", \.validationFraction, help: "fraction of each class held out", range: .open(0, 1))]
        }
    }

    public static let inputs = [InputSpec("data", help: "an image-set object (generate or preprocess)")]
    public static let outputs = [OutputSpec("split", .hdf5, help: "/train, /validation int64 indices, ascending")]

    public static func run(_ context: StageContext) throws {
        let labels = try ImageSetFile.readLabels(context.input("data"), stage: context.instance)
        let p = try context.parameters(Parameters.self)
        let fraction = p.validationFraction
        let split = try stratifiedSplit(labels: labels, validationFraction: fraction,
                                        seed: UInt64(truncatingIfNeeded: p.seed))
        let file = try HDF5File.create(context.output("split").path)
        try file.write("/train", HDF5Array(shape: [split.train.count], values: split.train.map(Int64.init)))
        try file.write("/validation", HDF5Array(shape: [split.validation.count], values: split.validation.map(Int64.init)))
        try file.setAttribute("seed", .int(Int64(p.seed)))
        try file.setAttribute("validation_fraction", .double(fraction))
        try file.setAttribute("train_per_class", .ints(ImageSetFile.countPerClass(split.train.map { labels[$0] })))
        try file.setAttribute("validation_per_class", .ints(ImageSetFile.countPerClass(split.validation.map { labels[$0] })))
        try file.close()
        context.metric("train", Double(split.train.count))
        context.metric("validation", Double(split.validation.count))
    }
}
