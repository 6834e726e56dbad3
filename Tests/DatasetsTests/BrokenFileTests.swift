// A broken file costs only itself: whatever its damage, wherever it sits and however many threads
// and chunks, every good file is kept with the same bytes out (the decoder handle is never poisoned).
@testable import Datasets
import XCTest

final class BrokenFileTests: XCTestCase {
    /// Each way a file is broken here, by name (the good picture's JPEG, damaged).
    static let damages: [(name: String, bytes: [UInt8])] = {
        let good = FixtureBytes.normal
        func garbled(at offset: Int) -> [UInt8] {
            var random = SeededRandom(seed: UInt64(offset))
            var bytes = good
            for i in offset..<(offset + 200) { bytes[i] = UInt8(truncatingIfNeeded: random.next()) }
            return bytes
        }
        let sos = (2..<(good.count - 1)).first { good[$0] == 0xFF && good[$0 + 1] == 0xDA }!
        var pngGarbage: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        pngGarbage += FixtureBytes.randomBytes
        return [
            ("garbled header at 20", garbled(at: 20)),       // "Unsupported marker type"
            ("garbled header at 150", garbled(at: 150)),     // "SOS before SOF"
            ("cut before the scan", Array(good.prefix(sos))), // "missing SOS marker": next file had no size
            ("truncated", FixtureBytes.truncated),
            ("zero bytes", []),
            ("PNG garbage", pngGarbage),
            ("random bytes", FixtureBytes.randomBytes),
        ]
    }()

    /// 10 good photos (5 per class) and, when given, a broken file that sorts before all of them.
    func makeFolder(broken: [UInt8]?) throws -> String {
        let root = try temporaryFolder(self)
        for i in 0..<5 {
            try write(encodeJPEG(testPicture(width: 120, height: 90, seed: UInt64(i))), root, "Cat/good\(i).jpg")
            try write(encodeJPEG(testPicture(width: 90, height: 120, seed: UInt64(50 + i))), root, "Dog/good\(i).jpg")
        }
        if let broken { try write(broken, root, "Cat/0-broken.jpg") }
        return root
    }

    func testABrokenFileBeforeGoodOnesLosesNoGoodFile() throws {
        let clean = try FolderImport(folder: try makeFolder(broken: nil), options: ImportOptions(size: 24, threads: 1)).all()
        XCTAssertEqual(clean.count, 10)
        for damage in Self.damages {
            let root = try makeFolder(broken: damage.bytes)
            for threads in [1, 2, 3] {
                for chunkSize in [1, 2, 4, 256] {
                    let job = try FolderImport(folder: root, options: ImportOptions(
                        size: 24, chunkSize: chunkSize, threads: threads, maxBadFraction: 0.5))
                    let kept = try job.all()
                    let label = "\(damage.name), \(threads) threads, chunks of \(chunkSize)"
                    XCTAssertEqual(kept.paths, clean.paths, label)
                    XCTAssertEqual(kept.pixels, clean.pixels, label)
                    XCTAssertEqual(kept.sha256, clean.sha256, label)
                    XCTAssertEqual(job.summary.bad.map(\.relativePath), ["Cat/0-broken.jpg"], label)
                }
            }
        }
    }

    /// The same decoder object, used for a damaged file and then a good one, decodes the good one as a
    /// fresh decoder does: the poisoning behind "corrupt (no image size in the header)" on a valid JPEG.
    func testOneDecoderDecodesAGoodFileAfterAnyBrokenOne() throws {
        let expected = try ImageDecoder().decode(FixtureBytes.normal)
        for damage in Self.damages {
            let decoder = ImageDecoder()
            XCTAssertThrowsError(try decoder.decode(damage.bytes), damage.name)
            for _ in 0..<2 {
                XCTAssertEqual(try decoder.decode(FixtureBytes.normal), expected, "after \(damage.name)")
            }
        }
    }

    func testCutBeforeTheScanIsTruncatedAndTheNextFileKeepsItsSize() {
        let decoder = JPEGDecoder()
        let sos = Self.damages.first { $0.name == "cut before the scan" }!.bytes
        XCTAssertEqual(decodeJPEG(decoder, sos).failureReason?.kind, "truncated")
        let image = try? decodeJPEG(decoder, FixtureBytes.normal).get()
        XCTAssertEqual(image?.width, 160)
        XCTAssertEqual(image?.height, 120)
    }
}

/// One JPEG decode as a Result (a typed-throws closure inside withUnsafeBytes crashes swift 6.3's IRGen).
func decodeJPEG(_ decoder: JPEGDecoder, _ bytes: [UInt8]) -> Result<RGBImage, BadFileReason> {
    bytes.withUnsafeBytes { raw -> Result<RGBImage, BadFileReason> in
        do throws(BadFileReason) { return .success(try decoder.decode(raw)) } catch { return .failure(error) }
    }
}

/// One photo decode (upright, with its orientation) as a Result.
func decodePhoto(_ bytes: [UInt8]) -> Result<DecodedPhoto, BadFileReason> {
    bytes.withUnsafeBytes { raw -> Result<DecodedPhoto, BadFileReason> in
        do throws(BadFileReason) { return .success(try ImageDecoder().decodePhoto(raw)) } catch { return .failure(error) }
    }
}
