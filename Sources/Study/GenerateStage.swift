// `generate`: the embedded default data set (Datasets' seeded texture generator) as one image-set object.
import Datasets
import Foundation
import Pipeline
import Store

public struct GenerateStage: Stage {
    public static let kind = "generate"
    public static let codeVersion = 2  // 2: orientation classes (horizontal 0 / vertical 1)
    public static let summary = "the generated two-class image set (no download): images (N,3,S,S), labels (N)"
    /// The data module's current defaults (it owns the generator's tuning).
    static let defaults = SyntheticConfig()
    public static let parameters = [
        ParamSpec("count", .int, default: .int(defaults.count), help: "number of images (balanced classes)",
                  range: .atLeast(1)),
        ParamSpec("size", .int, default: .int(defaults.size), help: "side S of the square images", range: .atLeast(1)),
        ParamSpec("seed", .int, default: .int(Int(defaults.seed)), help: "generator seed"),
        ParamSpec("difficulty", .double, default: .double(defaults.difficulty), help: "0 easy … 1 hard: clutter, noise, contrast",
                  range: .closed(0, 1)),
        ParamSpec("mislabelled", .double, default: .double(defaults.mislabelled), help: "fraction of labels flipped on purpose",
                  range: .closed(0, 1)),
    ]
    public static let inputs: [InputSpec] = []
    public static let outputs = [OutputSpec("images", .hdf5, help: "/images uint8 (N,3,S,S), /labels uint8 (N)")]

    public static func run(_ context: StageContext) throws {
        let config = SyntheticConfig(count: context.int("count"), size: context.int("size"),
                                     seed: UInt64(truncatingIfNeeded: context.int("seed")),
                                     difficulty: context.double("difficulty"), mislabelled: context.double("mislabelled"))
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
