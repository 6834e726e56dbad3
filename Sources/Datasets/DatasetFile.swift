// A minimal raw file of a labelled image set, for the Python validation script (not the pipeline's HDF5).
//
// Layout (little-endian): the 8 bytes "BLDS0001", then UInt32 count, channels, height, width,
// then count label bytes, then count·channels·height·width pixel bytes in (N, C, H, W) order.
import Foundation

/// Writes `set` to `path` (temporary file + rename, so a reader never sees half a file).
public func writeDatasetFile(_ set: LabelledImages, to path: String) throws(DatasetsError) {
    var bytes = Array("BLDS0001".utf8)
    for v in [set.count, 3, set.size, set.size] {
        withUnsafeBytes(of: UInt32(v).littleEndian) { bytes += $0 }
    }
    bytes += set.labels
    bytes += set.pixels
    try writeAtomically(bytes, to: path)
}

/// Reads a file written by `writeDatasetFile`.
public func readDatasetFile(_ path: String) throws(DatasetsError) -> LabelledImages {
    let data: [UInt8]
    do { data = Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
        throw .unreadable(path: path, detail: error.localizedDescription)
    }
    func u32(_ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 | Int(data[at + 2]) << 16 | Int(data[at + 3]) << 24 }
    guard data.count >= 24, Array(data[0..<8]) == Array("BLDS0001".utf8) else {
        throw .unreadable(path: path, detail: "not a BLDS0001 data set file")
    }
    let n = u32(8), c = u32(12), h = u32(16), w = u32(20)
    guard c == 3, h == w, data.count == 24 + n + n * c * h * w else {
        throw .unreadable(path: path, detail: "header (\(n), \(c), \(h), \(w)) does not match the file size \(data.count)")
    }
    return LabelledImages(pixels: Array(data[(24 + n)...]), labels: Array(data[24..<(24 + n)]), size: h)
}

/// Writes bytes to a temporary file beside `path`, fsyncs, then renames it over `path`.
func writeAtomically(_ bytes: [UInt8], to path: String) throws(DatasetsError) {
    let temp = path + ".tmp-\(getpid())"
    guard let file = fopen(temp, "wb") else {
        throw .writeFailed(path: path, detail: String(cString: strerror(errno)))
    }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
    fclose(file)
    guard written == bytes.count, flushed, rename(temp, path) == 0 else {
        let detail = String(cString: strerror(errno))
        unlink(temp)
        throw .writeFailed(path: path, detail: detail)
    }
}

/// A grid picture of `perClass` images of each class (one row per class, in set order), each
/// enlarged `scale` times with nearest-neighbour pixels and separated by a white gap.
public func sampleGrid(_ set: LabelledImages, perClass: Int = 8, scale: Int = 4, gap: Int = 2) -> RGBImage {
    let classes = Int(set.labels.max() ?? 0) + 1
    let cell = set.size * scale
    let width = perClass * cell + (perClass + 1) * gap, height = classes * cell + (classes + 1) * gap
    var pixels = [UInt8](repeating: 255, count: width * height * 3)
    let plane = set.size * set.size
    for label in 0..<classes {
        let members = set.labels.indices.filter { Int(set.labels[$0]) == label }.prefix(perClass)
        for (column, i) in members.enumerated() {
            let image = set.image(i), base = image.startIndex
            for y in 0..<cell {
                for x in 0..<cell {
                    let p = (y / scale) * set.size + x / scale
                    let ox = gap + column * (cell + gap) + x, oy = gap + label * (cell + gap) + y
                    for c in 0..<3 { pixels[(oy * width + ox) * 3 + c] = image[base + c * plane + p] }
                }
            }
        }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

/// Writes a PNG file (stb_image_write) atomically.
public func writePNG(_ image: RGBImage, to path: String) throws(DatasetsError) {
    try writeAtomically(encodePNG(image), to: path)
}
