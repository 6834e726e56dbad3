// `datasets-tool`: a thin command line over the Datasets module (generate a set, import a folder),
// for the validation script and for trying a photo folder by hand before the pipeline stages exist.
import ArgumentParser
import Datasets
import Foundation
import Primitives

@main
struct DatasetsTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets-tool",
        abstract: "Generate the synthetic texture set or import a photo folder into a BLDS0001 file.",
        subcommands: [Generate.self, Import.self]
    )
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the seeded synthetic two-class set.")
    @Option(help: "Number of images.") var count = SyntheticConfig().count
    @Option(help: "Image side S.") var size = 32
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: "Difficulty in [0, 1].") var difficulty = 0.5
    @Option(help: "Fraction of labels flipped on purpose.") var mislabelled = 0.10
    @Option(help: "Output BLDS0001 file.") var out: String
    @Option(help: "Also write a PNG grid of samples per class here.") var grid: String?

    func run() throws {
        let start = Date()
        let set = try generateSynthetic(SyntheticConfig(count: count, size: size, seed: seed, difficulty: difficulty, mislabelled: mislabelled))
        let seconds = Date().timeIntervalSince(start)
        try writeDatasetFile(set, to: out)
        if let grid { try writePNG(sampleGrid(set, perClass: 8, scale: 4), to: grid) }
        let ones = set.labels.filter { $0 == 1 }.count
        print("generated \(set.count) images of \(size)x\(size) (class 0: \(set.count - ones), class 1: \(ones)) "
              + "in \(String(format: "%.2f", seconds)) s; sha256 \(sha256Hex(set.pixels).prefix(16))… → \(out)")
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Decode a photo folder (PetImages, Kaggle or class folders).")
    @Argument(help: "The data folder.") var folder: String
    @Option(help: "Output side S.") var size = 64
    @Option(help: "Worker threads.") var threads = 2
    @Option(help: "Output BLDS0001 file (optional).") var out: String?

    func run() throws {
        let start = Date()
        let job = try FolderImport(folder: folder, options: ImportOptions(size: size, threads: threads))
        var total = LabelledImages(pixels: [], labels: [], size: size)
        while let chunk = try job.next() {
            guard out != nil else { continue }
            total.pixels += chunk.pixels
            total.labels += chunk.labels
        }
        let seconds = Date().timeIntervalSince(start)
        let summary = job.summary
        print("layout \(summary.layout.rawValue), classes \(summary.classNames), decoder: \(summary.decoder)")
        print("kept \(summary.kept) of \(summary.listed) files in \(String(format: "%.2f", seconds)) s; per class \(summary.keptPerClass)")
        print("bad files: \(summary.bad.count) \(summary.badPerReason.sorted { $0.key < $1.key })")
        for bad in summary.bad { print("  \(bad.relativePath): \(bad.reason)") }
        if let out { try writeDatasetFile(total, to: out) }
    }
}
