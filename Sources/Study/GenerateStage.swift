// `generate`: the embedded default data set (Datasets' seeded texture generator) as one image-set object,
// and a held-out test set: a fresh draw of `test_count` images from the same generator under a seed of
// its own (`testSeed`), never split, never seen by early stopping — what the `evaluate` stage scores.
import Datasets
import Foundation
import Pipeline
import Store

public struct GenerateStage: Stage {
    public static let kind = "generate"
    // Pixels and labels from a seeded generator, rounded to bytes: no BLAS.
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 3  // 2: orientation classes (horizontal 0 / vertical 1); 3: the `test` output
    public static let summary = "the generated two-class image set (no download): images (N,3,S,S), labels (N)"

    /// The generator's configuration; its defaults are the data module's (it owns the generator's tuning).
    public struct Parameters: StageParameters {
        public var count = SyntheticConfig().count
        public var size = SyntheticConfig().size
        public var seed = Int(SyntheticConfig().seed)
        public var difficulty = SyntheticConfig().difficulty
        public var mislabelled = SyntheticConfig().mislabelled
        public var testCount = 2000

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("count", \.count, help: "number of images (balanced classes)", range: .atLeast(1)),
             .field("size", \.size, help: "side S of the square images", range: .atLeast(1)),
             .field("seed", \.seed, help: "generator seed"),
             .field("difficulty", \.difficulty, help: "0 easy … 1 hard: clutter, noise, contrast", range: .closed(0, 1)),
             .field("mislabelled", \.mislabelled, help: "fraction of labels flipped on purpose", range: .closed(0, 1)),
             .field("test_count", \.testCount,
                    help: "images of the held-out test set (a fresh draw: same generator and difficulty, the seed's own test stream)",
                    range: .atLeast(2))]
        }

        var config: SyntheticConfig {
            SyntheticConfig(count: count, size: size, seed: UInt64(truncatingIfNeeded: seed), difficulty: difficulty,
                            mislabelled: mislabelled)
        }
    }

    public static let inputs: [InputSpec] = []
    public static let outputs = [
        OutputSpec("images", .hdf5, help: "/images uint8 (N,3,S,S), /labels uint8 (N)"),
        OutputSpec("test", .hdf5, help: "the held-out test set, same layout (test_count images)"),
    ]

    /// The test set's generator seed: the data seed mixed with "TESTSET!" by one SplitMix64 step, so it
    /// shares no image with the data set and a new data seed draws a new test set too.
    static func testSeed(_ seed: UInt64) -> UInt64 {
        var z = (seed ^ 0x5445_5354_5345_5421) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let config = p.config
        let start = Date()
        // The data object keeps its bytes of code version 2 (no role attribute): runs trained on it stay cached.
        try write(config, role: nil, to: context.output("images"), threads: context.threads)
        var test = config
        test.count = p.testCount
        test.seed = testSeed(config.seed)
        try write(test, role: "held-out test set", to: context.output("test"), threads: context.threads)
        context.measure("generate_seconds", Date().timeIntervalSince(start))
        context.metric("images", Double(config.count))
        context.metric("test_images", Double(test.count))
    }

    static func write(_ config: SyntheticConfig, role: String?, to url: URL, threads: Int) throws {
        let set = try generateSynthetic(config, threads: threads)
        let file = try HDF5File.create(url.path)
        try file.write(ImageSetFile.images, HDF5Array(shape: [set.count, 3, set.size, set.size], values: set.pixels))
        try file.write(ImageSetFile.labels, HDF5Array(shape: [set.count], values: set.labels))
        try file.write("/content", HDF5Array(shape: [set.count], values: syntheticClasses(config).content))
        try file.setAttribute("source", .string("generated: striped patches (horizontal 0 / vertical 1), Datasets.generateSynthetic"))
        try file.setAttribute("size", .int(Int64(set.size)))
        try file.setAttribute("count", .int(Int64(set.count)))
        try file.setAttribute("count_per_class", .ints(ImageSetFile.countPerClass(set.labels)))
        try file.setAttribute("seed", .int(Int64(bitPattern: config.seed)))  // the test seed uses all 64 bits
        try file.setAttribute("difficulty", .double(config.difficulty))
        try file.setAttribute("mislabelled", .double(config.mislabelled))
        try file.setAttribute("class_names", .string("horizontal,vertical"))
        if let role { try file.setAttribute("role", .string(role)) }
        try file.close()
    }
}
