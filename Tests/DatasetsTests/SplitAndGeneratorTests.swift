// The stratified split, the synthetic generator, the resize and the small file formats.
@testable import Datasets
import Primitives
import XCTest

final class SplitTests: XCTestCase {
    let labels: [UInt8] = (0..<1003).map { $0 % 7 == 0 ? 2 : UInt8($0 % 2) }

    func testSplitIsStratifiedAndLosesNothing() throws {
        let split = try stratifiedSplit(labels: labels, validationFraction: 0.2, seed: 5)
        XCTAssertEqual(Set(split.train).intersection(split.validation), [], "overlap")
        XCTAssertEqual((split.train + split.validation).sorted(), Array(0..<labels.count), "loss or duplicates")
        XCTAssertEqual(split.train, split.train.sorted())
        for c: UInt8 in 0...2 {
            let n = labels.filter { $0 == c }.count
            let v = split.validation.filter { labels[$0] == c }.count
            XCTAssertEqual(v, Int((Double(n) * 0.2).rounded()), "class \(c)")
        }
    }

    func testSplitIsDeterministicAndSeeded() throws {
        let a = try stratifiedSplit(labels: labels, seed: 5)
        XCTAssertEqual(a, try stratifiedSplit(labels: labels, seed: 5))
        XCTAssertNotEqual(a.validation, try stratifiedSplit(labels: labels, seed: 6).validation)
        // Pinned: a change of the shuffle or of the generator is a visible decision.
        XCTAssertEqual(Array(try stratifiedSplit(labels: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1], validationFraction: 0.4, seed: 1).validation),
                       pinnedSmallSplit)
    }

    func testSplitRejectsBadFractions() {
        XCTAssertThrowsError(try stratifiedSplit(labels: labels, validationFraction: 0, seed: 1))
        XCTAssertThrowsError(try stratifiedSplit(labels: labels, validationFraction: 1.5, seed: 1))
    }
}

/// Validation indices of the pinned small split (see testSplitIsDeterministicAndSeeded).
let pinnedSmallSplit = [0, 2, 6, 8]

final class GeneratorTests: XCTestCase {
    func testGeneratorIsDeterministicBalancedAndThreadIndependent() throws {
        let config = SyntheticConfig(count: 301, size: 32, seed: 3, difficulty: 0.5)
        let a = try generateSynthetic(config, threads: 1), b = try generateSynthetic(config, threads: 2)
        XCTAssertEqual(sha256Hex(a.pixels), sha256Hex(b.pixels))
        XCTAssertEqual(a.labels, b.labels)
        XCTAssertEqual(a.labels.filter { $0 == 0 }.count, 151)
        XCTAssertEqual(a.labels.filter { $0 == 1 }.count, 150)
        XCTAssertEqual(a.pixels.count, 301 * 3 * 32 * 32)
        let other = try generateSynthetic(SyntheticConfig(count: 301, size: 32, seed: 4, difficulty: 0.5))
        XCTAssertNotEqual(sha256Hex(a.pixels), sha256Hex(other.pixels))
        // Pinned bytes of a small set: a change of the generator must be a visible decision.
        XCTAssertEqual(sha256Hex(try generateSynthetic(SyntheticConfig(count: 20, size: 16, seed: 1)).pixels), pinnedGeneratorHash)
    }

    func testChunksConcatenateToTheWholeSet() throws {
        let config = SyntheticConfig(count: 53, size: 16, seed: 9)
        var pixels: [UInt8] = [], labels: [UInt8] = []
        for chunk in try SyntheticChunks(config, chunkSize: 10, threads: 3) {
            pixels += chunk.pixels
            labels += chunk.labels
        }
        XCTAssertEqual(LabelledImages(pixels: pixels, labels: labels, size: 16), try generateSynthetic(config, threads: 1))
    }

    func testMislabelledFlipsTheSameNumberInEachClass() {
        let classes = syntheticClasses(SyntheticConfig(count: 301, seed: 3, mislabelled: 0.05))
        XCTAssertEqual(classes.content.filter { $0 == 0 }.count, 151)
        XCTAssertEqual(classes.labels.filter { $0 == 0 }.count, 151)
        let flipped = classes.content.indices.filter { classes.content[$0] != classes.labels[$0] }
        XCTAssertEqual(flipped.count, 16)
        XCTAssertEqual(flipped.filter { classes.content[$0] == 0 }.count, 8)
        XCTAssertEqual(syntheticClasses(SyntheticConfig(count: 301, seed: 3, mislabelled: 0)).content, classes.content)
        XCTAssertEqual(syntheticClasses(SyntheticConfig(count: 301, seed: 3, mislabelled: 0)).labels, classes.content)
    }

    func testImagesVaryAndUseTheRange() throws {
        let set = try generateSynthetic(SyntheticConfig(count: 64, size: 32, seed: 1))
        XCTAssertNotEqual(set.image(0), set.image(1))
        XCTAssertLessThan(set.pixels.min()!, 20)
        XCTAssertGreaterThan(set.pixels.max()!, 235)
    }

    func testInvalidConfigsThrow() {
        XCTAssertThrowsError(try generateSynthetic(SyntheticConfig(count: 1)))
        XCTAssertThrowsError(try generateSynthetic(SyntheticConfig(size: 4)))
        XCTAssertThrowsError(try generateSynthetic(SyntheticConfig(difficulty: 1.5)))
        XCTAssertThrowsError(try generateSynthetic(SyntheticConfig(mislabelled: 0.6)))
    }

    func testDatasetFileRoundTripAndGrid() throws {
        let set = try generateSynthetic(SyntheticConfig(count: 10, size: 16, seed: 2))
        let path = try temporaryFolder(self) + "/set.blds"
        try writeDatasetFile(set, to: path)
        XCTAssertEqual(try readDatasetFile(path), set)
        let grid = sampleGrid(set, perClass: 3, scale: 2, gap: 1)
        XCTAssertEqual([grid.width, grid.height], [3 * 32 + 4, 2 * 32 + 3])
        XCTAssertEqual(try ImageDecoder().decode(encodePNG(grid)), grid)
    }
}

/// SHA-256 of SyntheticConfig(count: 20, size: 16, seed: 1) pixels.
let pinnedGeneratorHash = "005919dee5fe0d27443c5708515079994f3baf5b888a48d5f87325b4fc5509a8"

final class ResizeTests: XCTestCase {
    func testAreaAveragingOfKnownValues() {
        // 4x4 → 2x2: each output is the mean of a 2x2 block; a 4x2 photo is cropped to its centre 2x2.
        var pixels = [UInt8]()
        for v in [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150] as [UInt8] { pixels += [v, v, 255 - v] }
        let out = centreCropResize(RGBImage(width: 4, height: 4, pixels: pixels), size: 2)
        XCTAssertEqual(Array(out[0..<4]), [25, 45, 105, 125])
        XCTAssertEqual(Array(out[8..<12]), [230, 210, 150, 130])
        let wide = RGBImage(width: 4, height: 2, pixels: (0..<8).flatMap { [UInt8($0 * 10), 0, 0] })
        XCTAssertEqual(Array(centreCropResize(wide, size: 2)[0..<4]), [10, 20, 50, 60])
        // 3 → 2 with fractional overlaps: output 0 = (1·a + 0.5·b)/1.5.
        let row = RGBImage(width: 3, height: 3, pixels: (0..<9).flatMap { [UInt8($0 % 3 * 30), 0, 0] })
        XCTAssertEqual(Array(centreCropResize(row, size: 2)[0..<2]), [10, 50])
    }

    func testConstantStaysConstant() {
        let image = RGBImage(width: 37, height: 23, pixels: [UInt8](repeating: 77, count: 37 * 23 * 3))
        XCTAssertEqual(Set(centreCropResize(image, size: 16)), [77])
        XCTAssertEqual(Set(centreCropResize(image, size: 40)), [77])
    }
}
