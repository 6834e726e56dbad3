// Folder layouts, bad-file reporting, the 5% rule, folder errors and thread-independent output.
@testable import Datasets
import Primitives
import XCTest

final class FolderImportTests: XCTestCase {
    /// A PetImages folder of good photos (plus a Thumbs.db, which must be ignored, not counted bad).
    func makePetImages(goodPerClass: Int) throws -> String {
        let root = try temporaryFolder(self)
        for i in 0..<goodPerClass {
            try write(encodeJPEG(testPicture(width: 200, height: 150, seed: UInt64(i))), root, "PetImages/Cat/\(i).jpg")
            try write(encodeJPEG(testPicture(width: 150, height: 200, seed: UInt64(100 + i))), root, "PetImages/Dog/\(i).jpg")
        }
        try write([0x01, 0x02], root, "PetImages/Cat/Thumbs.db")
        return root
    }

    func testPetImagesLayoutWithEveryKindOfFile() throws {
        let root = try makePetImages(goodPerClass: 2)
        try write(FixtureBytes.grey, root, "PetImages/Cat/grey.jpg")
        try write(FixtureBytes.progressive, root, "PetImages/Cat/progressive.jpg")
        try write(FixtureBytes.cmyk, root, "PetImages/Dog/cmyk.jpg")
        try write(FixtureBytes.png, root, "PetImages/Dog/png-named.jpg")
        try write(FixtureBytes.truncated, root, "PetImages/Cat/truncated.jpg")
        try write([], root, "PetImages/Dog/zero.jpg")
        try write(FixtureBytes.randomBytes, root, "PetImages/Dog/random.jpg")

        let job = try FolderImport(folder: root, options: ImportOptions(size: 32, chunkSize: 4, maxBadFraction: 0.5))
        let result = try job.all()
        let summary = job.summary
        XCTAssertEqual(summary.layout, .petImages)
        XCTAssertEqual(summary.classNames, ["Cat", "Dog"])
        XCTAssertEqual(result.paths, ["PetImages/Cat/0.jpg", "PetImages/Cat/1.jpg", "PetImages/Cat/grey.jpg",
                                      "PetImages/Cat/progressive.jpg", "PetImages/Dog/0.jpg", "PetImages/Dog/1.jpg",
                                      "PetImages/Dog/cmyk.jpg", "PetImages/Dog/png-named.jpg"])
        XCTAssertEqual(result.labels, [0, 0, 0, 0, 1, 1, 1, 1])
        XCTAssertEqual(summary.keptPerClass, [4, 4])
        XCTAssertEqual(summary.listed, 11)
        XCTAssertEqual(summary.ignored, ["PetImages/Cat/Thumbs.db"])
        XCTAssertEqual(summary.bad.map(\.relativePath), ["PetImages/Cat/truncated.jpg", "PetImages/Dog/random.jpg", "PetImages/Dog/zero.jpg"])
        XCTAssertEqual(summary.bad.map(\.reason.kind), ["truncated", "not-an-image", "zero-bytes"])
        XCTAssertEqual(result.pixels.count, 8 * 3 * 32 * 32)
        // Hashes are of the file bytes.
        let png = try Data(contentsOf: URL(fileURLWithPath: root + "/PetImages/Dog/png-named.jpg"))
        XCTAssertEqual(result.sha256[7], sha256Hex(Array(png)))
        // The PNG (lossless) gives exactly the crop-resize of the original picture.
        XCTAssertEqual(Array(result.pixels[(7 * 3072)..<(8 * 3072)]), centreCropResize(FixtureBytes.picture, size: 32))
        // The CMYK and greyscale photos are close to their expected RGB.
        XCTAssertLessThan(meanAbsDiff(Array(result.pixels[(6 * 3072)..<(7 * 3072)]), centreCropResize(FixtureBytes.picture, size: 32)), 6)
        let grey = Array(result.pixels[(2 * 3072)..<(3 * 3072)])
        XCTAssertEqual(Array(grey[0..<1024]), Array(grey[1024..<2048]), "grey: R plane == G plane")
    }

    func testKaggleLayout() throws {
        let root = try temporaryFolder(self)
        for i in [3, 12] {
            try write(encodeJPEG(testPicture(width: 120, height: 90, seed: UInt64(i))), root, "train/cat.\(i).jpg")
            try write(encodeJPEG(testPicture(width: 90, height: 120, seed: UInt64(i))), root, "train/dog.\(i).jpg")
        }
        try write(FixtureBytes.normal, root, "train/1234.jpg")
        let job = try FolderImport(folder: root, options: ImportOptions(size: 16, maxBadFraction: 0.5))
        let result = try job.all()
        XCTAssertEqual(job.summary.layout, .kaggle)
        XCTAssertEqual(result.paths, ["train/cat.12.jpg", "train/cat.3.jpg", "train/dog.12.jpg", "train/dog.3.jpg"])
        XCTAssertEqual(result.labels, [0, 0, 1, 1])
        XCTAssertEqual(job.summary.bad, [BadFile(relativePath: "train/1234.jpg", reason: .unlabelled)])
        // The train folder itself works too, and gives paths relative to it.
        let inner = try listFolder(root + "/train")
        XCTAssertEqual(inner.layout, .kaggle)
        XCTAssertEqual(inner.files.first?.relativePath, "cat.12.jpg")
    }

    func testGenericClassFoldersAreLabelledInSortedOrder() throws {
        let root = try temporaryFolder(self)
        for (i, name) in ["zebra", "ant", "mole"].enumerated() {
            try write(encodePNG(testPicture(width: 40, height: 30, seed: UInt64(i))), root, "\(name)/a.png")
            try write(encodeJPEG(testPicture(width: 40, height: 30, seed: UInt64(i))), root, "\(name)/sub/b.jpeg")
        }
        let listing = try listFolder(root)
        XCTAssertEqual(listing.layout, .classFolders)
        XCTAssertEqual(listing.classNames, ["ant", "mole", "zebra"])
        XCTAssertEqual(listing.files.map(\.relativePath), ["ant/a.png", "ant/sub/b.jpeg", "mole/a.png", "mole/sub/b.jpeg",
                                                           "zebra/a.png", "zebra/sub/b.jpeg"])
        XCTAssertEqual(listing.files.map(\.label), [0, 0, 1, 1, 2, 2])
        let job = try FolderImport(folder: root, options: ImportOptions(size: 8))
        XCTAssertEqual(try job.all().count, 6)
        XCTAssertEqual(job.summary.keptPerClass, [2, 2, 2])
    }

    func testOutputIsIndependentOfThreadsAndChunks() throws {
        let root = try makePetImages(goodPerClass: 7)
        var outputs: [ImportedChunk] = []
        for (threads, chunk) in [(1, 256), (2, 3), (2, 256), (3, 5)] {
            outputs.append(try FolderImport(folder: root, options: ImportOptions(size: 24, chunkSize: chunk, threads: threads)).all())
        }
        for other in outputs.dropFirst() { XCTAssertEqual(other, outputs[0]) }
        XCTAssertEqual(outputs[0].count, 14)
    }

    func testMoreThanFivePercentBadFails() throws {
        // 20 good + 1 bad = 4.8%: passes. 20 good + 2 bad = 9.1%: fails, naming the folder and a fix.
        let root = try makePetImages(goodPerClass: 10)
        try write([], root, "PetImages/Cat/empty.jpg")
        let job = try FolderImport(folder: root)
        XCTAssertEqual(try job.all().count, 20)
        XCTAssertEqual(job.summary.bad.count, 1)

        try write(Array("hello".utf8), root, "PetImages/Dog/text.jpg")
        XCTAssertThrowsError(try FolderImport(folder: root).all()) { error in
            guard case DatasetsError.tooManyBadFiles(_, let bad, let total, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual([bad, total], [2, 22])
            XCTAssertTrue("\(error)".contains("--set data.folder=PATH"), "\(error)")
        }
    }

    func testMissingAndEmptyFoldersSayWhatToPass() throws {
        let root = try temporaryFolder(self)
        XCTAssertThrowsError(try FolderImport(folder: root + "/nope")) { error in
            XCTAssertEqual(error as? DatasetsError, .folderMissing(path: root + "/nope"))
            let text = "\(error)"
            for needle in ["--set data.folder=PATH", "PetImages", "Dogs vs. Cats", "train.zip"] {
                XCTAssertTrue(text.contains(needle), "missing '\(needle)' in: \(text)")
            }
        }
        XCTAssertThrowsError(try FolderImport(folder: root)) { error in
            XCTAssertEqual(error as? DatasetsError, .folderEmpty(path: root))
            XCTAssertTrue("\(error)".contains("--set data.folder=PATH"))
        }
        try write([1], root, "notes.txt")
        try FileManager.default.createDirectory(atPath: root + "/only", withIntermediateDirectories: true)
        XCTAssertThrowsError(try FolderImport(folder: root)) { error in
            guard case DatasetsError.layoutUnknown = error else { return XCTFail("\(error)") }
        }
        // Class folders with no images at all are empty, not a crash.
        try FileManager.default.createDirectory(atPath: root + "/other", withIntermediateDirectories: true)
        XCTAssertThrowsError(try FolderImport(folder: root)) { error in
            XCTAssertEqual(error as? DatasetsError, .folderEmpty(path: root))
        }
    }

    func testAllFilesBadIsAnErrorNotAnEmptySet() throws {
        let root = try temporaryFolder(self)
        try write([], root, "Cat/a.jpg")
        try write([], root, "Dog/b.jpg")
        XCTAssertThrowsError(try FolderImport(folder: root, options: ImportOptions(maxBadFraction: 1)).all()) { error in
            XCTAssertEqual(error as? DatasetsError, .folderEmpty(path: root))
        }
    }
}
