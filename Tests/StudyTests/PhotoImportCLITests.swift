// Photo import through the real executable: a broken file costs only itself at any thread count,
// damaged JPEG data is skipped with the decoder's warning (kept with corrupt_data=keep), EXIF
// orientation is honoured, the bad-file limit names its setting, a failed import leaves no temporary
// file, and `status` names the files that changed.
import Datasets
import Foundation
import TestSupport
import Store
import XCTest

final class PhotoImportCLITests: XCTestCase {
    /// 10 good photos, a garbled one that sorts first, one with junk in its data, one turned by EXIF.
    func makeFolder(_ root: URL) throws {
        func put(_ bytes: [UInt8], _ name: String) throws {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        func picture(_ w: Int, _ h: Int, _ seed: Int) -> RGBImage {
            RGBImage(width: w, height: h, pixels: (0..<(w * h * 3)).map { i in
                let x = (i / 3) % w, y = (i / 3) / w
                return UInt8(truncatingIfNeeded: i % 3 == 0 ? x * 4 + seed : i % 3 == 1 ? y * 5 : (x < w / 3 ? 230 : 20))
            })
        }
        for i in 0..<5 {
            try put(encodeJPEG(picture(64, 48, i), quality: 90), "Cat/good\(i).jpg")
            try put(encodeJPEG(picture(48, 64, 40 + i), quality: 90), "Dog/good\(i).jpg")
        }
        var garbled = encodeJPEG(picture(64, 48, 9), quality: 90)
        var random = SeededRandom(seed: 150)
        for i in 150..<350 { garbled[i] = UInt8(truncatingIfNeeded: random.next()) }
        try put(garbled, "Cat/0-garbled.jpg")
        let clean = encodeJPEG(picture(64, 48, 11), quality: 90)
        try put(Array(clean.dropLast(2)) + [UInt8](repeating: 0x37, count: 200) + [0xFF, 0xD9], "Dog/junk.jpg")
        // Orientation 6 (turn right): an APP1 Exif block with one IFD entry, inserted after SOI.
        let stored = picture(64, 48, 21)
        let tiff: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0]
        let app1: [UInt8] = [0xFF, 0xE1, 0, UInt8(2 + 6 + tiff.count)] + Array("Exif".utf8) + [0, 0] + tiff
        let jpeg = encodeJPEG(stored, quality: 95)
        try put(Array(jpeg.prefix(2)) + app1 + Array(jpeg.dropFirst(2)), "Dog/turned.jpg")

    }

    func run(_ p: CLIProject, _ photos: URL, _ extra: String...) throws -> CLIOutcome {
        try p.run(["run", "data", "-p", "pipelines/cats-vs-dogs.yaml", "--set", "data.folder=\(photos.path)",
                   "--set", "data.size=32", "--set", "data.max_bad_fraction=0.5"] + extra)
    }

    func testBrokenAndDamagedFilesCostOnlyThemselvesAtAnyThreadCount() throws {
        var images: [[UInt8]] = []
        for jobs in ["1", "2"] {  // 2 cores: -j 1 gives the import 2 threads, -j 2 gives it 1
            let p = try CLIProject(pipelines: true)
            let photos = p.url.appendingPathComponent("photos")
            try makeFolder(photos)
            let r = try run(p, photos, "-j", jobs)
            XCTAssertEqual(r.code, 0, r.stderr + r.stdout)
            let file = try HDF5File.open(try p.object(stage: "data", output: "images").path)
            defer { try? file.close() }
            XCTAssertEqual(try file.info("/images").shape, [11, 3, 32, 32], "-j \(jobs)")
            XCTAssertEqual(try file.read("/sources/orientation", as: UInt8.self).values, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 6])
            XCTAssertEqual(try file.attribute("turned"), .int(1))
            images.append(try file.read("/images", as: UInt8.self).values)
            let csv = try String(contentsOf: try p.object(stage: "data", output: "bad_files"), encoding: .utf8)
            XCTAssertTrue(csv.contains("Cat/0-garbled.jpg,corrupt ("), csv)
            XCTAssertTrue(csv.contains("Dog/junk.jpg,\"corrupt data, pixels would be wrong (Corrupt JPEG data: "), csv)

            // The other policy keeps the damaged file.
            let keep = try run(p, photos, "-j", jobs, "--set", "data.corrupt_data=keep")
            XCTAssertEqual(keep.code, 0, keep.stderr + keep.stdout)
            let kept = try HDF5File.open(try p.object(stage: "data", output: "images").path)
            defer { try? kept.close() }
            XCTAssertEqual(try kept.info("/images").shape, [12, 3, 32, 32])
            let bad = try run(p, photos, "--set", "data.corrupt_data=maybe")
            // Rejected when the pipeline loads (exit 2), before any stage runs.
            XCTAssertEqual(bad.code, 2)
            XCTAssertTrue((bad.stdout + bad.stderr).contains("--set data.corrupt_data=maybe: parameter 'corrupt_data' is maybe, not allowed: expected one of: skip, keep"),
                          bad.stdout + bad.stderr)
        }
        XCTAssertEqual(images[0], images[1], "the same bytes with 1 and 2 import threads")
    }

    func testTooManyBadFilesNamesTheSettingAndLeavesNoTemporaryFile() throws {
        let p = try CLIProject(pipelines: true)
        let photos = p.url.appendingPathComponent("photos")
        try makeFolder(photos)
        let r = try p.run("run", "data", "-p", "pipelines/cats-vs-dogs.yaml", "--set", "data.folder=\(photos.path)",
                          "--set", "data.max_bad_fraction=0.1")
        XCTAssertEqual(r.code, 1)
        let text = r.stdout + r.stderr
        for needle in ["2 of 13 files (15.4%)", "data.max_bad_fraction = 0.1 allows", "--set data.max_bad_fraction=0.20"] {
            XCTAssertTrue(text.contains(needle), "missing '\(needle)' in: \(text)")
        }
        let tmp = p.artifacts.appendingPathComponent("tmp")
        let left = (try? FileManager.default.subpathsOfDirectory(atPath: tmp.path)) ?? []
        XCTAssertEqual(left.filter { $0.hasSuffix(".h5") }, [], "a failed import left \(left)")
    }

    func testStatusNamesTheChangedPhotos() throws {
        let p = try CLIProject(pipelines: true)
        let photos = p.url.appendingPathComponent("photos")
        try makeFolder(photos)
        XCTAssertEqual(try run(p, photos).code, 0)
        try FileManager.default.removeItem(at: photos.appendingPathComponent("Cat/good3.jpg"))
        try Data(contentsOf: photos.appendingPathComponent("Cat/good1.jpg")).write(to: photos.appendingPathComponent("Cat/new.jpg"))
        let status = try p.run("status", "data", "-p", "pipelines/cats-vs-dogs.yaml", "--set", "data.folder=\(photos.path)",
                               "--set", "data.size=32", "--set", "data.max_bad_fraction=0.5")
        XCTAssertTrue(status.stdout.contains("stale  data: folder contents changed: 2 files: 1 added (Cat/new.jpg), 1 removed (Cat/good3.jpg)"),
                      status.stdout + status.stderr)
    }
}
