// Helpers shared by the Store tests: temporary folders, running tools, tmpfs mounts for disk-full cases.
import Foundation
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

/// Runs a program; returns its exit status and combined output.
@discardableResult
func runTool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Mounts a tmpfs of `size` at a new directory (options e.g. "ro"); unmounted at teardown.
/// Skips the test when mounting is impossible (not root, or no permission in a container).
func mountTmpfs(_ test: XCTestCase, size: String, options: String = "") throws -> URL {
    guard getuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root") }
    let dir = try makeTempDirectory(test)
    let opts = "size=\(size)" + (options.isEmpty ? "" : "," + options)
    let result = try runTool("/bin/mount", ["-t", "tmpfs", "-o", opts, "tmpfs", dir.path])
    guard result.status == 0 else { throw XCTSkip("cannot mount a tmpfs here: \(result.output)") }
    test.addTeardownBlock { _ = try? runTool("/bin/umount", [dir.path]) }
    return dir
}

func fileBytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }
