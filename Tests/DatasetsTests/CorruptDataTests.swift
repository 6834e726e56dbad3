// JPEGs whose entropy-coded data is damaged: skipped by default with the decoder's warning as the
// reason, kept under `.keep`; metadata-only warnings never cost a photo.
@testable import Datasets
import XCTest

final class CorruptDataTests: XCTestCase {
    func decode(_ bytes: [UInt8], _ policy: CorruptDataPolicy) -> Result<RGBImage, BadFileReason> {
        let decoder = ImageDecoder(corruptData: policy)
        do throws(BadFileReason) { return .success(try decoder.decode(bytes)) } catch { return .failure(error) }
    }

    /// The case: a few bytes changed 300–600 bytes into the entropy-coded data. Copies that
    /// draw a data warning are skipped under `.skip` with the warning as the reason (and nearly all of
    /// them have wrong pixels); `.keep` keeps them.
    func testDamagedEntropyDataIsSkippedWithTheWarningAsReason() throws {
        // A photo-like picture (texture and noise, ~25 KB at 320x240): smooth test pictures have so
        // little entropy-coded data that damage mostly decodes without any warning.
        var noise = SeededRandom(seed: 5)
        var picture = testPicture(width: 320, height: 240)
        for i in picture.pixels.indices {
            picture.pixels[i] = UInt8(clamping: Int(picture.pixels[i]) + noise.below(61) - 30)
        }
        let good = encodeJPEG(picture, quality: 90)
        let clean = try decode(good, .skip).get()
        let scan = (2..<(good.count - 1)).first { good[$0] == 0xFF && good[$0 + 1] == 0xDA }!
        var skipped = 0, skippedIntact = 0
        for seed in 0..<40 {
            var random = SeededRandom(seed: UInt64(seed))
            var bytes = good
            for _ in 0..<3 { bytes[scan + 300 + random.below(300)] = UInt8(truncatingIfNeeded: random.next()) }
            guard case .success(let kept) = decode(bytes, .keep) else { continue }  // fatal: skipped either way
            switch decode(bytes, .skip) {
            case .success(let image):
                // No warning at all: undetectable by the decoder (see CorruptData.swift); same pixels as kept.
                XCTAssertEqual(image, kept)
            case .failure(let reason):
                guard case .corruptData(let detail) = reason else { return XCTFail("seed \(seed): \(reason)") }
                XCTAssertTrue(detail.hasPrefix("Corrupt JPEG data"), detail)
                skipped += 1
                if meanAbsDiff(kept.pixels, clean.pixels) == 0 { skippedIntact += 1 }
            }
        }
        XCTAssertGreaterThan(skipped, 20, "the damage should draw data warnings")
        XCTAssertLessThanOrEqual(skippedIntact, skipped / 10, "skipped photos should mostly be damaged")
    }

    func testJunkBeforeTheEndMarkerIsSkippedByDefaultAndIntactUnderKeep() throws {
        let good = FixtureBytes.normal
        let junk = Array(good.dropLast(2)) + [UInt8](repeating: 0x37, count: 500) + [0xFF, 0xD9]
        guard case .failure(.corruptData(let detail)) = decode(Array(junk), .skip) else { return XCTFail("kept") }
        XCTAssertTrue(detail.contains("extraneous bytes before marker 0xd9"), detail)
        XCTAssertEqual(try decode(Array(junk), .keep).get(), try decode(good, .skip).get())
    }

    func testMetadataWarningKeepsThePhoto() throws {
        var bytes = FixtureBytes.normal
        XCTAssertEqual(Array(bytes[6..<11]), Array("JFIF\0".utf8))
        bytes[11] = 9  // JFIF major version 9: "Warning: unknown JFIF revision number 9.01"
        XCTAssertEqual(try decode(bytes, .skip).get(), try decode(FixtureBytes.normal, .skip).get())
    }

    func testCutOffFileIsTruncatedUnderEitherPolicy() {
        for policy in CorruptDataPolicy.allCases {
            XCTAssertEqual(decode(FixtureBytes.truncated, policy).failureReason?.kind, "truncated")
        }
    }

    func testFolderImportSkipsCorruptDataWithTheReason() throws {
        let root = try temporaryFolder(self)
        for i in 0..<4 { try write(encodeJPEG(testPicture(width: 80, height: 60, seed: UInt64(i))), root, "Cat/\(i).jpg") }
        for i in 0..<4 { try write(encodeJPEG(testPicture(width: 60, height: 80, seed: UInt64(9 + i))), root, "Dog/\(i).jpg") }
        let junk = Array(FixtureBytes.normal.dropLast(2)) + [UInt8](repeating: 0x37, count: 100) + [0xFF, 0xD9]
        try write(Array(junk), root, "Dog/junk.jpg")
        let skip = try FolderImport(folder: root, options: ImportOptions(size: 16, maxBadFraction: 0.5))
        XCTAssertEqual(try skip.all().count, 8)
        XCTAssertEqual(skip.summary.bad.map(\.reason.kind), ["corrupt-data"])
        XCTAssertTrue("\(skip.summary.bad[0].reason)".contains("extraneous bytes before marker 0xd9"), "\(skip.summary.bad[0].reason)")
        let keep = try FolderImport(folder: root, options: ImportOptions(size: 16, maxBadFraction: 0.5, corruptData: .keep))
        XCTAssertEqual(try keep.all().count, 9)
        XCTAssertEqual(keep.summary.bad, [])
    }
}
