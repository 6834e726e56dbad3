// Decoding outcomes for each kind of file a real photo folder contains.
import CJPEG
@testable import Datasets
import XCTest

final class DecodeTests: XCTestCase {
    let decoder = ImageDecoder()
    let picture = FixtureBytes.picture

    func decode(_ bytes: [UInt8], minSide: Int? = nil) -> Result<RGBImage, BadFileReason> {
        do throws(BadFileReason) { return .success(try decoder.decode(bytes, minSide: minSide)) } catch { return .failure(error) }
    }

    func testNormalJPEGDecodesCloseToTheOriginal() throws {
        let image = try decode(FixtureBytes.normal).get()
        XCTAssertEqual([image.width, image.height], [160, 120])
        XCTAssertLessThan(meanAbsDiff(image.pixels, picture.pixels), 3)
    }

    func testDecodingIsDeterministic() throws {
        XCTAssertEqual(try decode(FixtureBytes.normal).get(), try ImageDecoder().decode(FixtureBytes.normal))
    }

    func testLargePhotoIsDecodedAtTheSmallestSufficientScale() throws {
        let big = testPicture(width: 640, height: 480)
        let bytes = encodeJPEG(big, quality: 90)
        // 1/8 would give a short side of 60 < 64, so 1/4 (160x120) is the smallest that covers 64.
        let scaled = try decode(bytes, minSide: 64).get()
        XCTAssertEqual([scaled.width, scaled.height], [160, 120])
        let full = try decode(bytes).get()
        XCTAssertEqual([full.width, full.height], [640, 480])
        // A 100-pixel target: 1/4 still gives a short side of 120 >= 100; 1000 exceeds the photo: full size.
        let hundred = try decode(bytes, minSide: 100).get()
        XCTAssertEqual(hundred.height, 120)
        let over = try decode(bytes, minSide: 1000).get()
        XCTAssertEqual([over.width, over.height], [640, 480])
    }

    func testGreyscaleBecomesRGBWithEqualChannels() throws {
        let image = try decode(FixtureBytes.grey).get()
        XCTAssertEqual([image.width, image.height], [160, 120])
        for p in stride(from: 0, to: image.pixels.count, by: 3) {
            XCTAssertEqual(image.pixels[p], image.pixels[p + 1])
            XCTAssertEqual(image.pixels[p], image.pixels[p + 2])
        }
        // The grey level is the picture's luma (BT.601), to within JPEG error.
        var luma = [UInt8]()
        for p in stride(from: 0, to: picture.pixels.count, by: 3) {
            let y = 0.299 * Double(picture.pixels[p]) + 0.587 * Double(picture.pixels[p + 1]) + 0.114 * Double(picture.pixels[p + 2])
            luma.append(UInt8(y.rounded()))
        }
        let decodedGrey = stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] }
        XCTAssertLessThan(meanAbsDiff(decodedGrey, luma), 3)
    }

    func testProgressiveJPEGDecodes() throws {
        let bytes = FixtureBytes.progressive
        XCTAssertNotEqual(bytes, FixtureBytes.normal, "the progressive fixture must differ from the baseline one")
        let image = try decode(bytes).get()
        XCTAssertLessThan(meanAbsDiff(image.pixels, picture.pixels), 3)
    }

    func testCMYKJPEGBecomesRGB() throws {
        let bytes = FixtureBytes.cmyk
        let handle = tjInitDecompress()
        defer { tjDestroy(handle) }
        var w: Int32 = 0, h: Int32 = 0, sub: Int32 = 0, cs: Int32 = 0
        XCTAssertEqual(bytes.withUnsafeBufferPointer { tjDecompressHeader3(handle, $0.baseAddress, UInt($0.count), &w, &h, &sub, &cs) }, 0)
        XCTAssertTrue(cs == Int32(TJCS_YCCK.rawValue) || cs == Int32(TJCS_CMYK.rawValue), "fixture is not CMYK/YCCK: \(cs)")
        let image = try decode(bytes).get()
        XCTAssertEqual([image.width, image.height], [160, 120])
        XCTAssertLessThan(meanAbsDiff(image.pixels, picture.pixels), 4)
    }

    func testTruncatedJPEGIsSkippedAsTruncated() {
        guard case .failure(.truncated) = decode(FixtureBytes.truncated) else {
            return XCTFail("expected truncated, got \(decode(FixtureBytes.truncated))")
        }
        // Cut inside the header too.
        guard case .failure(.truncated) = decode(Array(FixtureBytes.normal.prefix(40))) else {
            return XCTFail("expected truncated header, got \(decode(Array(FixtureBytes.normal.prefix(40))))")
        }
    }

    func testZeroBytesRandomBytesAndOtherFormats() {
        XCTAssertEqual(decode([]).failureReason, .zeroBytes)
        XCTAssertEqual(decode(FixtureBytes.randomBytes).failureReason, .notAnImage)
        XCTAssertEqual(decode(Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 40)).failureReason, .unsupportedFormat("GIF"))
        XCTAssertEqual(decode(Array("<html>not a photo</html>".utf8)).failureReason, .notAnImage)
    }

    func testPNGDecodesExactlyWhateverItsName() throws {
        let image = try decode(FixtureBytes.png).get()
        XCTAssertEqual(image, picture)
    }

    func testTruncatedPNGIsSkipped() {
        let cut = Array(FixtureBytes.png.prefix(FixtureBytes.png.count / 2))
        guard case .failure(let reason) = decode(cut) else { return XCTFail("a half PNG decoded") }
        XCTAssertTrue(reason.kind == "truncated" || reason.kind == "corrupt", "\(reason)")
    }

    func testDamagedJPEGBodyIsReportedNotKeptSilently() {
        var bytes = FixtureBytes.normal
        // Overwrite the middle with marker bytes: the decoder fails or warns, and the file is skipped
        // either way (corrupt_data: skip); never a crash, never half a picture kept.
        for i in (bytes.count / 2)..<(bytes.count / 2 + 64) { bytes[i] = 0xFF }
        switch decode(bytes) {
        case .success: XCTFail("a JPEG with 64 bytes of 0xFF in its data was kept")
        case .failure(let reason): XCTAssertTrue(["corrupt", "corrupt-data", "truncated"].contains(reason.kind), "\(reason)")
        }
    }
}

extension Result where Failure == BadFileReason {
    var failureReason: BadFileReason? { if case .failure(let r) = self { return r } else { return nil } }
}
