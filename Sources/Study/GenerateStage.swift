// `generate`: the embedded default data set (Datasets' seeded texture generator) as one image-set object.
import Datasets
import Foundation
import Pipeline
import Store

public struct GenerateStage: Stage {
    public static let kind = "generate"
    public static let codeVersion = 2  // 2: orientation classes (horizontal 0 / vertical 1)
    public static let summary = "the generated two-class image set (no download): images (N,3,S,S), labels (N)"

    /// The generator's configuration; its defaults are the data module's (it owns the generator's tuning).
    public struct Parameters: StageParameters {
        public var count = SyntheticConfig().count
        public var size = SyntheticConfig().size
        public var seed = Int(SyntheticConfig().seed)
        public var difficulty = SyntheticConfig().difficulty
        public var mislabelled = SyntheticConfig().mislabelled

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("count", \.count, help: "number of images (balanced classes)", range: .atLeast(1)),
             .field("size", \.size, help: "side S of the square images", range: .atLeast(1)),
             .field("seed", \.seed, help: "generator seed"),
             .field("difficulty", \.difficulty, help: "0 easy … 1 hard: clutter, noise, contrast", range: .closed(0, 1)),
             .field("mislabelled", \.mislabelled, help: "fraction of labels flipped on purpose", range: .closed(0, 1))]
        }

        var config: SyntheticConfig {
            SyntheticConfig(count: count, size: size, seed: UInt64(truncatingIfNeeded: seed), difficulty: difficulty,
                            mislabelled: mislabelled)
        }
    }

    public static let inputs: [InputSpec] = []
    public static let outputs = [OutputSpec("images", .hdf5, help: "/images uint8 (N,3,S,S), /labels uint8 (N)")]

    public static func run(_ context: StageContext) throws {
        let config = try context.parameters(Parameters.self).config
        let start = Date()
        let set = try generateSynthetic(config, threads: context.threads)
        context.measure("generate_seconds", Date().timeIntervalSince(start))
        let file = try HDF5File.create(context.output("images").path)
        try file.write(ImageSetFile.images, HDF5Array(shape: [set.count, 3, set.size, set.size], values: set.pixels))
        try file.write(ImageSetFile.labels, HDF5Array(shape: [set.count], values: set.labels))
        try file.write("/content", HDF5Array(shape: [set.count], values: syntheticClasses(config).content))
        try file.setAttribute("source", .string("generated: striped patches (horizontal 0 / vertical 1), Datasets.generateSynthetic"))
        try file.setAttribute("size", .int(Int64(set.size)))
        try file.setAttribute("count", .int(Int64(set.count)))
        try file.setAttribute("count_per_class", .ints(ImageSetFile.countPerClass(set.labels)))
        try file.setAttribute("seed", .int(Int64(config.seed)))
        try file.setAttribute("difficulty", .double(config.difficulty))
        try file.setAttribute("mislabelled", .double(config.mislabelled))
        try file.setAttribute("class_names", .string("horizontal,vertical"))
        try file.close()
        context.metric("images", Double(set.count))
    }
}
