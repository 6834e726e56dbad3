// Helpers shared by the Store tests: temporary folders, running tools, tmpfs mounts for disk-full cases.
import Foundation
import TestSupport
import XCTest

/// A fresh temporary directory, removed when the test ends.
func makeTempDirectory(_ test: XCTestCase, _ name: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("store-tests-\(UUID().uuidString.prefix(8))", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock {
        // Objects are read-only files; their directories are writable, so removal works.
        try? FileManager.default.removeItem(at: url)
    }
    return url
}

/// Mounts a tmpfs of `size` at a new directory (options e.g. "ro"); unmounted at teardown.
/// Skips the test when mounting is impossible (not root, or no permission in a container).
func mountTmpfs(_ test: XCTestCase, size: String, options: String = "") throws -> URL {
    let dir = try makeTempDirectory(test)
    try mountTmpfs(at: dir, size: size, options: options, for: test)
    return dir
}

func fileBytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }
