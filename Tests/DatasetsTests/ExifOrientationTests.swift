// EXIF orientation against Pillow's ImageOps.exif_transpose: the committed fixture holds one JPEG per
// orientation and Pillow's upright pixels (scripts/reference/exif_orientation_fixture.py).
@testable import Datasets
import Foundation
import XCTest

final class ExifOrientationTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable { let orientation: UInt8; let jpeg: String; let width: Int; let height: Int; let rgb: String }
        let pillow: String
        let cases: [Case]
    }

    func loadFixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/exif-orientation.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func testAllEightOrientationsMatchPillow() throws {
        let fixture = try loadFixture()
        XCTAssertEqual(fixture.cases.map(\.orientation), Array(1...8))
        for c in fixture.cases {
            let jpeg = [UInt8](Data(base64Encoded: c.jpeg)!), expected = [UInt8](Data(base64Encoded: c.rgb)!)
            let photo = try decodePhoto(jpeg).get()
            XCTAssertEqual(photo.orientation.rawValue, c.orientation)
            XCTAssertEqual([photo.image.width, photo.image.height], [c.width, c.height], "orientation \(c.orientation)")
            guard photo.image.pixels.count == expected.count else { continue }
            // Two libjpeg-turbo builds (Pillow's and Debian's) may differ by a level; a wrong turn differs by ~100.
            let diffs = zip(photo.image.pixels, expected).map { abs(Int($0) - Int($1)) }
            let worst = diffs.max()!
            XCTAssertLessThanOrEqual(worst, 2, "orientation \(c.orientation): max diff \(worst) at byte "
                                     + "\(diffs.firstIndex(of: worst)!) (Pillow \(fixture.pillow))")
        }
    }

    func testFolderImportRecordsTheOrientation() throws {
        let fixture = try loadFixture()
        let root = try temporaryFolder(self)
        for c in fixture.cases { try write([UInt8](Data(base64Encoded: c.jpeg)!), root, "Cat/o\(c.orientation).jpg") }
        try write(FixtureBytes.png, root, "Dog/plain.png")
        let job = try FolderImport(folder: root, options: ImportOptions(size: 8))
        let kept = try job.all()
        XCTAssertEqual(kept.orientations, [1, 2, 3, 4, 5, 6, 7, 8, 1])
        XCTAssertEqual(job.summary.turned, 7)
    }

    func testDamagedExifBlocksMeanUpright() {
        // The orientation reader walks untrusted bytes: cut or nonsense blocks give .up, never a crash.
        let base = [UInt8](Data(base64Encoded: (try? loadFixture())?.cases[5].jpeg ?? "")!)
        XCTAssertEqual(base.withUnsafeBytes { ExifOrientation.read(jpeg: $0) }, .right)
        for cut in stride(from: 0, to: min(base.count, 120), by: 1) {
            let o = Array(base.prefix(cut)).withUnsafeBytes { ExifOrientation.read(jpeg: $0) }
            XCTAssertTrue(o == .up || o == .right, "cut at \(cut): \(o)")
        }
        var bogus = base
        if let at = (0..<(bogus.count - 1)).first(where: { bogus[$0] == 0x01 && bogus[$0 + 1] == 0x12 }) {
            bogus[at + 9] = 9  // orientation 9 does not exist
            XCTAssertEqual(bogus.withUnsafeBytes { ExifOrientation.read(jpeg: $0) }, .up)
        } else {
            XCTFail("no orientation tag found in the fixture")
        }
    }
}
