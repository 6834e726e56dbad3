// External inputs (a folder outside the store): the fingerprint follows the folder's contents, not
// its place or file times, and `status` says "folder contents changed" when a file changes.
import Foundation
@testable import Pipeline
import XCTest

final class ExternalInputTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("batchlab-external-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("photos/sub"), withIntermediateDirectories: true)
        try write("photos/a.jpg", "one")
        try write("photos/sub/b.jpg", "two")
        try write("photos/.hidden", "x")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    func write(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: scratch.appendingPathComponent(path))
    }

    func setModified(_ path: String, secondsAgo: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -secondsAgo)],
                                              ofItemAtPath: scratch.appendingPathComponent(path).path)
    }

    var photos: String { scratch.appendingPathComponent("photos").path }
    var cache: URL { scratch.appendingPathComponent("cache") }

    func testFingerprintFollowsContentsNotTimesOrPlace() throws {
        let first = ExternalFingerprint.of(path: photos, cacheDirectory: cache)
        XCTAssertTrue(first.hasPrefix("sha256:"), first)
        XCTAssertEqual(ExternalFingerprint.of(path: photos, cacheDirectory: cache), first)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasSuffix(".tsv") }.count, 1)
        XCTAssertEqual(ExternalFingerprint.of(path: photos, cacheDirectory: nil), first, "the cache never changes the value")

        // A touch without a change (new mtime) and hidden files do not count; the place does not either.
        try setModified("photos/a.jpg", secondsAgo: 3600)
        try write("photos/.hidden", "changed")
        XCTAssertEqual(ExternalFingerprint.of(path: photos, cacheDirectory: cache), first)
        try FileManager.default.copyItem(atPath: photos, toPath: scratch.appendingPathComponent("copy").path)
        XCTAssertEqual(ExternalFingerprint.of(path: scratch.appendingPathComponent("copy").path, cacheDirectory: cache), first)

        // Same size, other bytes → different (the stale table entry is not trusted: the mtime moved).
        try write("photos/a.jpg", "ONE")
        let changed = ExternalFingerprint.of(path: photos, cacheDirectory: cache)
        XCTAssertNotEqual(changed, first)
        try write("photos/a.jpg", "one")
        XCTAssertEqual(ExternalFingerprint.of(path: photos, cacheDirectory: cache), first, "same contents again")

        // A renamed or an added file is a change.
        try FileManager.default.moveItem(atPath: scratch.appendingPathComponent("photos/sub/b.jpg").path,
                                         toPath: scratch.appendingPathComponent("photos/sub/c.jpg").path)
        let renamed = ExternalFingerprint.of(path: photos, cacheDirectory: cache)
        XCTAssertNotEqual(renamed, first)
        try write("photos/d.jpg", "")
        XCTAssertNotEqual(ExternalFingerprint.of(path: photos, cacheDirectory: cache), renamed)

        XCTAssertEqual(ExternalFingerprint.of(path: scratch.appendingPathComponent("nothing").path, cacheDirectory: cache), "absent")
    }

    func testStatusSaysFolderContentsChanged() throws {
        let text = "stages:\n  files: {kind: toy.files, params: {folder: \"\(photos)\"}}\n  sum: {kind: toy.sum, inputs: {values: files.listing}}\n"
        func graph() throws -> PipelineGraph { try load(text).fingerprintingExternalInputs(cacheDirectory: cache) }
        func lines(_ lookup: MemoryLookup) throws -> [String] {
            let g = try graph()
            return try StatusCheck.evaluate(g, plan: Planner.plan(g), lookup: lookup).map(\.line)
        }
        let lookup = MemoryLookup()
        try lookup.runAll(try graph())
        XCTAssertEqual(try lines(lookup), ["fresh  files", "fresh  sum"])

        try setModified("photos/sub/b.jpg", secondsAgo: 60)  // touched, same bytes: still fresh
        XCTAssertEqual(try lines(lookup), ["fresh  files", "fresh  sum"])

        try write("photos/sub/b.jpg", "TWO")
        XCTAssertEqual(try lines(lookup), ["stale  files: folder contents changed", "stale  sum: upstream stale: files"])

        try write("photos/sub/b.jpg", "two")  // back to the recorded contents: the old key is found again
        XCTAssertEqual(try lines(lookup), ["fresh  files", "fresh  sum"])

        // With the listings at hand, status names the files: the first 3 of each kind and the counts.
        lookup.externalCache = cache
        try write("photos/sub/b.jpg", "TWO")
        try FileManager.default.removeItem(at: scratch.appendingPathComponent("photos/a.jpg"))
        for name in ["c", "d", "e", "f"] { try write("photos/\(name).jpg", name) }
        XCTAssertEqual(try lines(lookup)[0],
                       "stale  files: folder contents changed: 6 files: 4 added (c.jpg, d.jpg, e.jpg, …), 1 removed (a.jpg), "
                       + "1 changed (sub/b.jpg)")
    }

    func testChangeBetweenListings() {
        let change = ExternalChange(old: ["a": "1\tx", "b": "1\ty"], new: ["b": "1\tz", "c": "2\tw"])
        XCTAssertEqual(change, ExternalChange(old: ["a": "1\tx", "b": "1\ty"], new: ["b": "1\tz", "c": "2\tw"]))
        XCTAssertEqual([change.added, change.removed, change.changed], [["c"], ["a"], ["b"]])
        XCTAssertEqual("\(change)", "3 files: 1 added (c), 1 removed (a), 1 changed (b)")
    }

    func testExternalFingerprintIsPartOfTheKeyAndRoundTrips() {
        let plain = KeyMaterial(kind: "toy.files", codeVersion: 1, parameters: ["folder": .string("/p")], inputs: [:])
        let with = KeyMaterial(kind: "toy.files", codeVersion: 1, parameters: ["folder": .string("/p")], inputs: [:],
                               external: ["folder": "sha256:ab"])
        XCTAssertFalse(plain.canonical.contains("external"), "keys without external inputs keep format 1's bytes")
        XCTAssertTrue(with.canonical.contains(#""external":{"folder":"sha256:ab"}"#), with.canonical)
        XCTAssertNotEqual(plain.key, with.key)
        XCTAssertEqual(KeyMaterial(stored: with.stored), with)
        let rows = KeyRows.join(with)
        XCTAssertEqual(rows["external:folder"], #""sha256:ab""#)
        let back = KeyRows.split(rows)
        XCTAssertEqual(back.parameters, with.parameters)
        XCTAssertEqual(back.external, with.external)
    }
}
