// The content-addressed store: layout, read-only objects, dedup, repair, verify, and failure cases.
import Foundation
@testable import Store
import XCTest

final class ObjectStoreTests: XCTestCase {
    func testPutBytesStoresReadOnlyObjectAtItsHash() throws {
        let store = ObjectStore(root: try makeTempDirectory(self))
        let object = try store.put(bytes: Data("hello".utf8))
        // SHA-256("hello"), pinned so a change of hashing is a visible decision.
        XCTAssertEqual(object.hash.hex, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        XCTAssertEqual(object.size, 5)
        let url = store.url(of: object.hash)
        XCTAssertEqual(url.deletingLastPathComponent().lastPathComponent, "2c")
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "hello")
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o444)
        XCTAssertTrue(store.contains(object.hash))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.scratchDirectory.path), [], "no temp left")
    }

    func testPutFileMovesScratchFileInAndDeduplicates() throws {
        let store = ObjectStore(root: try makeTempDirectory(self))
        let scratch = try store.makeScratchURL(suffix: ".h5")
        let file = try HDF5File.create(scratch.path)
        try file.write("/x", HDF5Array<Float>(shape: [3], values: [1, 2, 3]))
        try file.close()
        let expected = try ObjectHash.ofFile(atPath: scratch.path)
        let object = try store.put(file: scratch)
        XCTAssertEqual(object.hash, expected.hash)
        XCTAssertEqual(object.size, expected.size)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path), "the scratch file was moved in")
        XCTAssertTrue(HDF5File.isHDF5(store.url(of: object.hash).path))

        let again = try store.makeScratchURL()
        try FileManager.default.copyItem(at: store.url(of: object.hash), to: again)
        XCTAssertEqual(try store.put(file: again), object)
        XCTAssertFalse(FileManager.default.fileExists(atPath: again.path), "a duplicate is consumed too")
        XCTAssertEqual(try store.allObjects(), [object.hash])
    }

    func testPutWritingMovesInOnlyFinishedOutputs() throws {
        let store = ObjectStore(root: try makeTempDirectory(self))
        struct StageFailed: Error {}
        XCTAssertThrowsError(try store.putHDF5 { file in
            try file.write("/half", HDF5Array<Float>(shape: [2], values: [1, 2]))
            throw StageFailed()
        }) { XCTAssertTrue($0 is StageFailed) }
        XCTAssertEqual(try store.allObjects(), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.scratchDirectory.path), [])

        let object = try store.putHDF5 { file in
            try file.write("/w", HDF5Array<Float>(shape: [2], values: [1, 2]))
            try file.setAttribute("stage", .string("train"))
        }
        let stored = try HDF5File.open(store.url(of: object.hash).path)
        XCTAssertEqual(try stored.read("/w", as: Float.self).values, [1, 2])
        let json = try store.put(suffix: ".json") { try Data("{}".utf8).write(to: $0) }
        XCTAssertEqual(json.hash, ObjectHash.of(Data("{}".utf8)))
    }

    func testPutFileFromAnotherFileSystemCopies() throws {
        let store = ObjectStore(root: try makeTempDirectory(self))
        let other = try mountTmpfs(self, size: "1m")
        let source = other.appendingPathComponent("out.bin")
        try Data(repeating: 7, count: 1000).write(to: source)
        let object = try store.put(file: source)
        XCTAssertEqual(store.check(object.hash), .ok)
        XCTAssertFalse(FileManager.default.fileExists(atPath: source.path))
    }

    func testLargeFileHashesByStreaming() throws {
        let dir = try makeTempDirectory(self)
        let url = dir.appendingPathComponent("big.bin")
        let bytes = Data((0..<(3 << 20) + 5).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: url)
        let streamed = try ObjectHash.ofFile(atPath: url.path)
        XCTAssertEqual(streamed.hash, ObjectHash.of(bytes))
        XCTAssertEqual(streamed.size, Int64(bytes.count))
    }

    func testFlippedByteIsFoundAndRepairedByPuttingTheGoodBytesAgain() throws {
        let store = ObjectStore(root: try makeTempDirectory(self))
        let good = Data((0..<4096).map { UInt8($0 % 256) })
        let object = try store.put(bytes: good)
        try flipByte(at: 100, of: store.url(of: object.hash))
        guard case .corrupted(let actual) = store.check(object.hash) else { return XCTFail("flip not detected") }
        XCTAssertNotEqual(actual, object.hash)
        _ = try store.put(bytes: good)  // a rebuild writes the same bytes again
        XCTAssertEqual(store.check(object.hash), .ok, "a corrupted copy must not be trusted by deduplication")
        try store.remove(object.hash)
        XCTAssertEqual(store.check(object.hash), .missing)
    }

    func testDiskFullLeavesNothingPartial() throws {
        let root = try mountTmpfs(self, size: "256k")
        let store = ObjectStore(root: root.appendingPathComponent("artifacts"))
        XCTAssertThrowsError(try store.put(bytes: Data(repeating: 1, count: 1 << 20))) { error in
            guard case .diskFull(let path)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasPrefix(root.path), path)
            XCTAssertTrue("\(error)".contains("no space left"), "\(error)")
        }
        XCTAssertEqual(try store.allObjects(), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.scratchDirectory.path), [])
        // Small objects still fit afterwards: the failed write freed its space.
        XCTAssertNoThrow(try store.put(bytes: Data("ok".utf8)))
    }

    func testDiskFullWhileWritingHDF5LeavesNothingPartial() throws {
        let root = try mountTmpfs(self, size: "256k")
        let store = ObjectStore(root: root.appendingPathComponent("artifacts"))
        XCTAssertThrowsError(try store.putHDF5 { file in
            try file.write("/big", HDF5Array<Double>(shape: [65536], values: (0..<65536).map(Double.init)),
                           storage: .contiguous)
        }) { error in
            guard case .diskFull(let file, "/big")? = error as? HDF5Error else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasPrefix(store.scratchDirectory.path), file)
        }
        XCTAssertEqual(try store.allObjects(), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.scratchDirectory.path), [])
    }

    func testUnwritableDirectoryGivesClearError() throws {
        let root = try mountTmpfs(self, size: "64k", options: "ro")
        let store = ObjectStore(root: root.appendingPathComponent("artifacts"))
        XCTAssertThrowsError(try store.put(bytes: Data("x".utf8))) { error in
            guard case .notWritable(let path, _)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasPrefix(root.path), path)
            XCTAssertTrue("\(error)".contains("writable"), "\(error)")
        }
    }

    func testErrnoMapping() {
        XCTAssertEqual(posixError("write", "/p", errno: ENOSPC), .diskFull(path: "/p"))
        XCTAssertEqual(posixError("write", "/p", errno: EDQUOT), .diskFull(path: "/p"))
        guard case .notWritable? = Optional(posixError("open", "/p", errno: EACCES)) else { return XCTFail() }
        guard case .notWritable? = Optional(posixError("open", "/p", errno: EROFS)) else { return XCTFail() }
        guard case .io? = Optional(posixError("open", "/p", errno: EIO)) else { return XCTFail() }
    }

    func testObjectHashValidation() {
        XCTAssertNil(ObjectHash(hex: "abc"))
        XCTAssertNil(ObjectHash(hex: String(repeating: "g", count: 64)))
        XCTAssertEqual(ObjectHash(hex: String(repeating: "A", count: 64))?.hex, String(repeating: "a", count: 64))
    }
}

/// Flips one byte of a (read-only) object in place, as disk rot or a stray write would.
func flipByte(at offset: Int, of url: URL) throws {
    chmod(url.path, 0o644)
    var data = try Data(contentsOf: url)
    data[offset] ^= 0xFF
    try data.write(to: url)
    chmod(url.path, 0o444)
}
