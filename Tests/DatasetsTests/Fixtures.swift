// Test fixtures made on the fly: photo-like pictures, their JPEG/PNG files, and temporary folders.
import CJPEG
import Datasets
import Foundation
import XCTest

/// A smooth colourful picture with some texture (decoders agree on it to within a few levels).
func testPicture(width: Int, height: Int, seed: UInt64 = 7) -> RGBImage {
    var random = SeededRandom(seed: seed)
    let phase = random.uniform(0, 6)
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            let i = (y * width + x) * 3
            pixels[i] = UInt8(128 + 100 * sin(Double(x) / 9 + phase))
            pixels[i + 1] = UInt8(128 + 100 * cos(Double(y) / 7))
            pixels[i + 2] = UInt8((x * 255) / max(1, width - 1))
        }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

/// Mean absolute difference of two equally sized byte arrays.
func meanAbsDiff(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count)
    var total = 0
    for i in a.indices { total += abs(Int(a[i]) - Int(b[i])) }
    return Double(total) / Double(a.count)
}

/// A fresh temporary folder, removed at the end of the test.
func temporaryFolder(_ test: XCTestCase) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("datasets-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Writes `bytes` to folder/relative, creating the parent folders.
func write(_ bytes: [UInt8], _ folder: String, _ relative: String) throws {
    let url = URL(fileURLWithPath: folder + "/" + relative)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
}

/// The fixture files of the decoding cases, by name.
enum FixtureBytes {
    static let picture = testPicture(width: 160, height: 120)
    static var normal: [UInt8] { encodeJPEG(picture, quality: 95) }
    static var grey: [UInt8] { encodeJPEG(picture, quality: 95, colour: .grey) }
    static var progressive: [UInt8] { encodeJPEG(picture, quality: 95, progressive: true) }
    static var cmyk: [UInt8] { encodeJPEG(picture, quality: 95, colour: .cmyk) }
    static var truncated: [UInt8] { Array(normal.prefix(normal.count * 6 / 10)) }
    static var png: [UInt8] { encodePNG(picture) }
    static var randomBytes: [UInt8] {
        var random = SeededRandom(seed: 42)
        return (0..<3000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }
}
