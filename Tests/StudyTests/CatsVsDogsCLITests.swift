// `batchlab run split -p pipelines/cats-vs-dogs.yaml --set data.folder=…` (decode and split, no
// training) through the real executable, on small generated photo folders in each layout with bad
// files among them; a changed photo makes `data` stale.
import Datasets
import Foundation
import TestSupport
import Store
import XCTest

final class CatsVsDogsCLITests: XCTestCase {
    /// 40 photo-like JPEGs (20 per class) named by `place(label, i)`, plus 2 bad files (4.8% < 5%).
    static func makeFolder(_ root: URL, place: (Int, Int) -> String, bad: [String]) throws {
        for i in 0..<40 {
            let label = i % 2
            var random = SeededRandom(seed: UInt64(i + 1))
            let w = 60 + random.below(40), h = 50 + random.below(30)
            let pixels = (0..<(w * h * 3)).map { UInt8(truncatingIfNeeded: ($0 * (label + 3) + i * 7) % 251) }
            let url = root.appendingPathComponent(place(label, i))
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(encodeJPEG(RGBImage(width: w, height: h, pixels: pixels), quality: 90)).write(to: url)
        }
        let good = try Data(contentsOf: root.appendingPathComponent(place(0, 0)))
        try Data().write(to: root.appendingPathComponent(bad[0]))                      // zero bytes
        try good.prefix(good.count / 2).write(to: root.appendingPathComponent(bad[1]))  // truncated
    }

    func check(layout: String, place: @escaping (Int, Int) -> String, bad: [String], folderBelow: String = "") throws {
        let p = try CLIProject(pipelines: true)
        let photos = p.url.appendingPathComponent("photos")
        try Self.makeFolder(photos, place: place, bad: bad)
        let r = try p.run("run", "split", "-p", "pipelines/cats-vs-dogs.yaml",
                          "--set", "data.folder=\(photos.path)\(folderBelow)", "--set", "data.size=32")
        XCTAssertEqual(r.code, 0, r.stderr + r.stdout)
        XCTAssertTrue(r.stdout.contains("2 executed, 0 cached, 0 failed"), r.stdout)
        XCTAssertTrue(r.stderr.contains("kept 40 of 42 files; 2 bad (truncated 1, zero-bytes 1)")
                      || r.stderr.contains("done    data"), r.stderr)

        let shown = try p.run("show", "data")
        XCTAssertTrue(shown.stdout.contains("metric    bad_files = 2.0"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("metric    bad.zero-bytes = 1.0"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("metric    bad.truncated = 1.0"), shown.stdout)
        let csv = try String(contentsOf: try p.object(stage: "data", output: "bad_files"), encoding: .utf8)
        let names = bad.map { ($0 as NSString).lastPathComponent }
        XCTAssertTrue(csv.contains("\(names[0]),zero bytes"), csv)
        XCTAssertTrue(csv.contains("\(names[1]),truncated"), csv)

        let images = try HDF5File.open(try p.object(stage: "data", output: "images").path)
        defer { try? images.close() }
        XCTAssertEqual(try images.info("/images").shape, [40, 3, 32, 32])
        XCTAssertEqual(try images.attribute("layout"), .string(layout))
        XCTAssertEqual(try images.attribute("count_per_class"), .ints([20, 20]))
        XCTAssertEqual(try images.info("/sources/sha256").shape, [40, 32])
        let paths = try readPaths(images, "/sources/path")
        XCTAssertEqual(paths.count, 40)
        XCTAssertTrue(paths.contains(place(1, 1)) || paths.contains { place(1, 1).hasSuffix($0) }, "\(paths.prefix(3))")
        XCTAssertEqual(try readPaths(images, "/bad/path").count, 2)

        let split = try HDF5File.open(try p.object(stage: "split", output: "split").path)
        defer { try? split.close() }
        XCTAssertEqual(try split.info("/train").shape, [32])
        XCTAssertEqual(try split.info("/validation").shape, [8])
        XCTAssertEqual(try split.attribute("validation_per_class"), .ints([4, 4]))

        // A new split seed reuses the decoded photos.
        let again = try p.run("run", "split", "-p", "pipelines/cats-vs-dogs.yaml",
                              "--set", "data.folder=\(photos.path)\(folderBelow)", "--set", "data.size=32", "--set", "split.seed=2")
        XCTAssertTrue(again.stdout.contains("1 executed, 1 cached, 0 failed"), again.stdout)

        // The folder's contents are part of the key: another photo under the same name makes data stale.
        let status = { try p.run("status", "split", "-p", "pipelines/cats-vs-dogs.yaml", "--set",
                                 "data.folder=\(photos.path)\(folderBelow)", "--set", "data.size=32", "--set", "split.seed=2") }
        let unchanged = try status()
        XCTAssertTrue(unchanged.stdout.contains("fresh  data"), unchanged.stdout)
        try Data(contentsOf: photos.appendingPathComponent(place(1, 3))).write(to: photos.appendingPathComponent(place(1, 1)))
        let changed = try status()
        XCTAssertTrue(changed.stdout.contains("stale  data: folder contents changed"), changed.stdout + changed.stderr)
    }

    func readPaths(_ file: HDF5File, _ path: String) throws -> [String] {
        let blob = try file.read(path + "/bytes", as: UInt8.self).values
        var start = 0
        return try file.read(path + "/end", as: Int64.self).values.map { end in
            defer { start = Int(end) }
            return String(decoding: blob[start..<Int(end)], as: UTF8.self)
        }
    }

    func testMicrosoftLayout() throws {
        try check(layout: "petimages", place: { "PetImages/\($0 == 0 ? "Cat" : "Dog")/\($1).jpg" },
                  bad: ["PetImages/Cat/666.jpg", "PetImages/Dog/667.jpg"])
    }

    func testKaggleLayout() throws {
        try check(layout: "kaggle", place: { "train/\($0 == 0 ? "cat" : "dog").\($1).jpg" },
                  bad: ["train/cat.900.jpg", "train/dog.901.jpg"], folderBelow: "/train")
    }

    func testGenericClassFolders() throws {
        try check(layout: "class-folders", place: { "\($0 == 0 ? "a-cats" : "b-dogs")/img\($1).jpg" },
                  bad: ["a-cats/broken.jpg", "b-dogs/empty.jpg"])
    }

    func testMissingAndEmptyFolderSayWhatToPass() throws {
        let p = try CLIProject(pipelines: true)
        var r = try p.run("reproduce", "pipelines/cats-vs-dogs.yaml")
        XCTAssertEqual(r.code, 1)
        XCTAssertTrue(r.stdout.contains("--set data.folder=PATH") || r.stderr.contains("--set data.folder=PATH"), r.stdout + r.stderr)
        XCTAssertTrue((r.stdout + r.stderr).contains("PetImages"), r.stdout + r.stderr)
        r = try p.run("reproduce", "pipelines/cats-vs-dogs.yaml", "--set", "data.folder=/nonexistent/photos")
        XCTAssertEqual(r.code, 1)
        XCTAssertTrue((r.stdout + r.stderr).contains("'/nonexistent/photos' does not exist"), r.stdout + r.stderr)
        let empty = p.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        r = try p.run("reproduce", "pipelines/cats-vs-dogs.yaml", "--set", "data.folder=\(empty.path)")
        XCTAssertEqual(r.code, 1)
        XCTAssertTrue((r.stdout + r.stderr).contains("contains no image files")
                      || (r.stdout + r.stderr).contains("matches no known layout"), r.stdout + r.stderr)
        XCTAssertTrue((r.stdout + r.stderr).contains("--set data.folder=PATH"), r.stdout + r.stderr)
    }
}
