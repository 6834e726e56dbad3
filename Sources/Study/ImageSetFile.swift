// The HDF5 layout every image-set object shares (generate and preprocess write it, split and train read it):
//   /images  uint8 (N, 3, S, S) planar RGB     /labels  uint8 (N), cat 0, dog 1
// plus attributes `source`, `size`, `count`, `count_per_class`. Text columns (paths, reasons) are
// stored as one uint8 byte blob plus int64 end offsets, since the Store writes numeric datasets only.
import Foundation
import Store
import Training

enum ImageSetFile {
    static let images = "/images"
    static let labels = "/labels"

    /// Reads the labels of an image-set object (checking the layout).
    static func readLabels(_ url: URL, stage: String) throws -> [UInt8] {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        return try readLabels(file, stage: stage)
    }

    static func readLabels(_ file: HDF5File, stage: String) throws -> [UInt8] {
        guard try file.exists(labels), try file.exists(images) else {
            throw StudyError.badInput(stage: stage, file: file.path, detail: "no /images and /labels datasets")
        }
        let values = try file.read(labels, as: UInt8.self).values
        let shape = try file.info(images).shape
        guard shape.count == 4, shape[0] == values.count, shape[1] == 3, shape[2] == shape[3] else {
            throw StudyError.badInput(stage: stage, file: file.path,
                                      detail: "/images has shape \(shape) for \(values.count) labels; expected (N, 3, S, S)")
        }
        return values
    }

    /// Counts per class label 0…max.
    static func countPerClass(_ labels: [UInt8]) -> [Int64] {
        var counts = [Int64](repeating: 0, count: Int(labels.max() ?? 0) + 1)
        for l in labels { counts[Int(l)] += 1 }
        return counts
    }
}

/// Streams a column of strings into `<path>/bytes` (uint8) and `<path>/end` (int64 end offsets).
final class StringColumnWriter {
    private let bytes: HDF5RowWriter<UInt8>
    private let ends: HDF5RowWriter<Int64>
    private var total: Int64 = 0

    init(_ file: HDF5File, _ path: String) throws {
        bytes = try file.createRowWriter(path + "/bytes", rowShape: [], as: UInt8.self)
        ends = try file.createRowWriter(path + "/end", rowShape: [], as: Int64.self)
    }

    func append(_ strings: [String]) throws {
        guard !strings.isEmpty else { return }
        var blob: [UInt8] = [], offsets: [Int64] = []
        for s in strings {
            blob += Array(s.utf8)
            total += Int64(s.utf8.count)
            offsets.append(total)
        }
        try bytes.append(blob)
        try ends.append(offsets)
    }

    func close() throws {
        try bytes.close()
        try ends.close()
    }
}

/// Reads a column written by `StringColumnWriter`.
func readStringColumn(_ file: HDF5File, _ path: String) throws -> [String] {
    let blob = try file.read(path + "/bytes", as: UInt8.self).values
    let ends = try file.read(path + "/end", as: Int64.self).values
    var start = 0
    return ends.map { end in
        defer { start = Int(end) }
        return String(decoding: blob[start..<Int(end)], as: UTF8.self)
    }
}
