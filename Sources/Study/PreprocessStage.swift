// `preprocess`: a folder of photos (Microsoft, Kaggle or class-folder layout) → the image-set layout,
// streamed chunk by chunk through Datasets' FolderImport and the Store's row writers (memory: one
// chunk), plus every kept file's relative path and SHA-256, and every bad file with its reason.
import Datasets
import Foundation
import Pipeline
import Store
import Training

public struct PreprocessStage: Stage {
    public static let kind = "preprocess"
    // Decoding and resizing photos into bytes: no BLAS.
    public static let numerics = StageNumerics.portable
    /// 2: EXIF orientation honoured, JPEGs with corrupt entropy-coded data skipped, /sources/orientation.
    public static let codeVersion = 2
    public static let summary = "decodes, crops and resizes a folder of photos; skips and lists bad files"

    public struct Parameters: StageParameters {
        /// Empty: none given (the body then says how to give one); not `required`, so that a pipeline
        /// file without it still loads for `status` and `stages`.
        public var folder = ""
        public var size = 64
        public var maxBadFraction = 0.10
        public var corruptData = CorruptDataPolicy.skip

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("folder", \.folder, help: "the photo folder (set with --set STAGE.folder=PATH)"),
             .field("size", \.size, help: "side S of the square images", range: .atLeast(1)),
             .field("max_bad_fraction", \.maxBadFraction,
                    help: "fail above this fraction of bad files (catches the wrong folder; damaged photos are listed)",
                    range: .closed(0, 1)),
             .field("corrupt_data", \.corruptData,
                    help: "skip|keep JPEGs whose entropy-coded data draws a decoder warning (their pixels are usually wrong)")]
        }
    }

    public static let inputs: [InputSpec] = []
    public static let outputs = [
        OutputSpec("images", .hdf5, help: "/images, /labels, /sources/{path,sha256,orientation}, /bad/{path,reason}, counts"),
        OutputSpec("bad_files", .csv, help: "path,reason of every skipped file"),
    ]

    /// The photo folder is read from outside the store: its contents (every file's path, size and
    /// SHA-256) go into the cache key, so changed photos make this stage stale.
    public static func externalInputs(_ parameters: [String: ParamValue]) -> [String: String] {
        guard let folder = (try? Parameters(parameters, stage: kind))?.folder, !folder.isEmpty else { return [:] }
        return ["folder": folder]
    }

    /// Files decoded per chunk (bounds memory; the output does not depend on it).
    static let chunkSize = 256

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let (folder, size) = (p.folder, p.size)
        guard !folder.isEmpty else { throw StudyError.noDataFolder(stage: context.instance) }
        let start = Date()
        let stageName = context.instance.split(separator: "@").first.map(String.init) ?? context.instance
        let importer = try FolderImport(folder: folder, options: ImportOptions(
            size: size, chunkSize: chunkSize, threads: context.threads, maxBadFraction: p.maxBadFraction,
            maxBadFractionSetting: stageName + ".max_bad_fraction", corruptData: p.corruptData))
        let file = try HDF5File.create(context.output("images").path)
        let images = try file.createRowWriter(ImageSetFile.images, rowShape: [3, size, size], as: UInt8.self)
        let labels = try file.createRowWriter(ImageSetFile.labels, rowShape: [], as: UInt8.self)
        let hashes = try file.createRowWriter("/sources/sha256", rowShape: [32], as: UInt8.self)
        let orientations = try file.createRowWriter("/sources/orientation", rowShape: [], as: UInt8.self)
        let paths = try StringColumnWriter(file, "/sources/path")
        let total = importer.listing.files.count
        var done = 0
        while let chunk = try importer.next() {
            try images.append(chunk.pixels)
            try labels.append(chunk.labels)
            try hashes.append(chunk.sha256.flatMap(hexBytes))
            try orientations.append(chunk.orientations)
            try paths.append(chunk.paths)
            done = min(total, done + chunkSize)
            context.progress("decoded \(done)/\(total) files, kept \(importer.summary.kept), bad \(importer.summary.bad.count)")
        }
        for writer in [images, labels, hashes, orientations] { try writer.close() }
        try paths.close()
        let summary = importer.summary
        let badPaths = try StringColumnWriter(file, "/bad/path"), badReasons = try StringColumnWriter(file, "/bad/reason")
        try badPaths.append(summary.bad.map(\.relativePath))
        try badReasons.append(summary.bad.map(\.reason.description))
        try badPaths.close(); try badReasons.close()

        try file.setAttribute("source", .string("folder"))
        try file.setAttribute("layout", .string(summary.layout.rawValue))
        try file.setAttribute("class_names", .string(summary.classNames.joined(separator: ",")))
        try file.setAttribute("size", .int(Int64(size)))
        try file.setAttribute("decoder", .string(summary.decoder))
        try file.setAttribute("resize", .string("EXIF orientation undone, centre-crop to square, area-averaging resize"))
        try file.setAttribute("corrupt_data", .string(p.corruptData.rawValue))
        try file.setAttribute("turned", .int(Int64(summary.turned)))
        try file.setAttribute("listed", .int(Int64(summary.listed)))
        try file.setAttribute("count", .int(Int64(summary.kept)))
        try file.setAttribute("count_per_class", .ints(summary.keptPerClass.map(Int64.init)))
        try file.setAttribute("bad", .int(Int64(summary.bad.count)))
        for (kind, n) in summary.badPerReason.sorted(by: { $0.key < $1.key }) {
            try file.setAttribute("bad_" + kind, .int(Int64(n)), at: "/bad")
        }
        try file.close()

        var csv = "path,reason\n"
        for bad in summary.bad { csv += csvField(bad.relativePath) + "," + csvField(bad.reason.description) + "\n" }
        try Data(csv.utf8).write(to: context.output("bad_files"))

        let seconds = Date().timeIntervalSince(start)
        context.measure("import_seconds", seconds)
        context.measure("images_per_second", Double(summary.listed) / max(seconds, 1e-9))
        context.metric("kept", Double(summary.kept))
        context.metric("bad_files", Double(summary.bad.count))
        context.metric("turned", Double(summary.turned))
        for (kind, n) in summary.badPerReason { context.metric("bad." + kind, Double(n)) }
        let reasons = summary.badPerReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        context.progress("kept \(summary.kept) of \(summary.listed) files; \(summary.bad.count) bad"
                         + (reasons.isEmpty ? "" : " (\(reasons))"))
    }

    /// 64 hex digits → 32 bytes.
    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = [], high: UInt8 = 0, odd = false
        for c in hex.utf8 {
            let v: UInt8 = c <= 57 ? c - 48 : (c | 0x20) - 87
            if odd { out.append(high << 4 | v) } else { high = v }
            odd.toggle()
        }
        return out
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
