// Running a system tool, and tmpfs mounts for the disk-full tests (Store's and the CLI's): one copy.
import Foundation
import XCTest

/// Runs a program; returns its exit status and combined output.
@discardableResult
public func runTool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
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

/// Mounts a tmpfs of `size` at `url` (created if needed; options e.g. "ro"), unmounted at teardown.
/// Skips the test, saying why, where mounting is impossible (not root, or no permission in a container).
public func mountTmpfs(at url: URL, size: String, options: String = "", for test: XCTestCase) throws {
    guard getuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root") }
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    let opts = "size=\(size)" + (options.isEmpty ? "" : "," + options)
    let result = try runTool("/bin/mount", ["-t", "tmpfs", "-o", opts, "tmpfs", url.path])
    guard result.status == 0 else { throw XCTSkip("cannot mount a tmpfs here: \(result.output)") }
    test.addTeardownBlock { _ = try? runTool("/bin/umount", [url.path]) }
}

/// Changes a mounted tmpfs's size (to free space in a disk-full test).
public func remountTmpfs(_ url: URL, size: String) throws -> (status: Int32, output: String) {
    try runTool("/bin/mount", ["-o", "remount,size=\(size)", url.path])
}
