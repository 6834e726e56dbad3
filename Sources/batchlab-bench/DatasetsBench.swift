// `batchlab-bench datasets`: folder-import speed on generated ~500×375 JPEG photos and the synthetic set's
// generation time, printed as tables.
import ArgumentParser
import Datasets
import Foundation

struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets", abstract: "Photo import (generated JPEGs → 64×64 image set) and the generated set's speed.")

    @Option(help: "Generated photos to import.")
    var count = 2000

    func validate() throws { try requirePositive(count, "--count") }

    func run() throws { try DatasetsBench.run(count: count) }
}

enum DatasetsBench {
    /// A photo-like test picture: smooth colour fields, a few blobs and sensor-like noise, so the JPEG
    /// has realistic entropy (flat colour would decode unrealistically fast).
    static func photo(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var random = SeededRandom(seed: seed)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let base = (random.uniform(40, 200), random.uniform(40, 200), random.uniform(40, 200))
        let blobs = (0..<6).map { _ in (random.uniform(0, Double(width)), random.uniform(0, Double(height)),
                                        random.uniform(20, 120), random.uniform(-90, 90)) }
        for y in 0..<height {
            for x in 0..<width {
                var v = base.0 + 30 * sin(Double(x) / 37 + Double(y) / 53)
                for b in blobs {
                    let dx = Double(x) - b.0, dy = Double(y) - b.1
                    v += b.3 * exp(-(dx * dx + dy * dy) / (2 * b.2 * b.2))
                }
                let n = Double(random.below(21)) - 10
                let i = (y * width + x) * 3
                pixels[i] = UInt8(max(0, min(255, v + n)))
                pixels[i + 1] = UInt8(max(0, min(255, v * 0.8 + base.1 * 0.2 + n)))
                pixels[i + 2] = UInt8(max(0, min(255, v * 0.6 + base.2 * 0.4 + n)))
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func run(count: Int) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("batchlab-bench-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["Cat", "Dog"] {
            try FileManager.default.createDirectory(atPath: folder + "/PetImages/" + name, withIntermediateDirectories: true)
        }
        // A few distinct pictures, re-encoded at slightly different sizes and qualities, make the set.
        let pictures = (0..<16).map { photo(width: 500, height: 375, seed: UInt64($0)) }
        var bytesTotal = 0
        for i in 0..<count {
            let jpeg = encodeJPEG(pictures[i % pictures.count], quality: 75 + i % 20)
            bytesTotal += jpeg.count
            let path = folder + "/PetImages/" + (i % 2 == 0 ? "Cat" : "Dog") + "/\(i).jpg"
            _ = FileManager.default.createFile(atPath: path, contents: Data(jpeg))
        }

        print("datasets-bench: folder import of \(count) JPEG photos 500x375 (\(bytesTotal / count / 1024) KiB each) to 64x64")
        print("| threads | images | seconds | images/s |")
        print("|--------:|-------:|--------:|---------:|")
        for threads in [1, 2] {
            let start = Date()
            let job = try FolderImport(folder: folder, options: ImportOptions(size: 64, threads: threads))
            var kept = 0
            while let chunk = try job.next() { kept += chunk.count }
            let seconds = Date().timeIntervalSince(start)
            print("| \(threads) | \(kept) | \(String(format: "%.2f", seconds)) | \(String(format: "%.0f", Double(kept) / seconds)) |")
        }

        // The embedded default set must take seconds at most.
        let generatorStart = Date()
        let generated = try generateSynthetic(SyntheticConfig())
        let generatorSeconds = Date().timeIntervalSince(generatorStart)
        print("")
        print("datasets-bench: synthetic default set (\(generated.count) images of \(generated.size)x\(generated.size), 2 threads)")
        print("| images | seconds | images/s |")
        print("|-------:|--------:|---------:|")
        print("| \(generated.count) | \(String(format: "%.2f", generatorSeconds)) | \(String(format: "%.0f", Double(generated.count) / generatorSeconds)) |")
    }
}
