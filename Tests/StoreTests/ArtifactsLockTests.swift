// The artifacts/ process lock: fail at once or wait with a message naming the holder.
import Foundation
@testable import Store
import XCTest

final class ArtifactsLockTests: XCTestCase {
    func testSecondHolderFailsAtOnceNamingThePid() throws {
        let root = try makeTempDirectory(self)
        let first = try ArtifactsLock.acquire(root: root, wait: false)
        XCTAssertThrowsError(try ArtifactsLock.acquire(root: root, wait: false)) { error in
            guard case .locked(let path, let holder)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, root.appendingPathComponent("lock").path)
            XCTAssertTrue(holder.hasPrefix("pid \(getpid())"), holder)
        }
        first.release()
        XCTAssertNoThrow(try ArtifactsLock.acquire(root: root, wait: false).release())
    }

    func testWaiterIsToldAndGetsTheLockAfterRelease() throws {
        let root = try makeTempDirectory(self)
        let first = try ArtifactsLock.acquire(root: root, wait: false)
        let messages = Messages()
        let acquired = expectation(description: "second acquires")
        let thread = Thread {
            do {
                let second = try ArtifactsLock.acquire(root: root, wait: true) { messages.append($0) }
                second.release()
                acquired.fulfill()
            } catch {
                XCTFail("\(error)")
            }
        }
        thread.start()
        usleep(300_000)
        XCTAssertEqual(messages.all.count, 1, "the waiter says once that it waits")
        XCTAssertTrue(messages.all.first?.contains("pid \(getpid())") ?? false, "\(messages.all)")
        first.release()
        wait(for: [acquired], timeout: 5)
    }

    func testLockHeldByAnotherProcessIsSeen() throws {
        let root = try makeTempDirectory(self)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let lockPath = root.appendingPathComponent("lock").path
        _ = FileManager.default.createFile(atPath: lockPath, contents: nil)
        let holder = try holdLock(lockPath, seconds: 3)
        defer { holder.terminate(); holder.waitUntilExit() }
        var locked = false
        for _ in 0..<50 where !locked {
            usleep(50_000)
            do { try ArtifactsLock.acquire(root: root, wait: false).release() } catch StoreError.locked { locked = true }
        }
        XCTAssertTrue(locked, "the other process's flock must exclude us")
    }

    func testLockIsReleasedWhenItsOwnerDies() throws {
        let root = try makeTempDirectory(self)
        let lockPath = root.appendingPathComponent("lock").path
        _ = FileManager.default.createFile(atPath: lockPath, contents: nil)
        let holder = try holdLock(lockPath, seconds: 30)
        usleep(300_000)
        XCTAssertThrowsError(try ArtifactsLock.acquire(root: root, wait: false))
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        usleep(100_000)
        XCTAssertNoThrow(try ArtifactsLock.acquire(root: root, wait: false).release())
    }
}

/// Another process (one, not a parent with a child that inherits the lock) that holds flock on `path`.
/// perl-base is part of every Debian system.
private func holdLock(_ path: String, seconds: Int) throws -> Process {
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: "/usr/bin/perl")
    holder.arguments = ["-e", "use Fcntl ':flock'; open(F, '>>', $ARGV[0]) or die; flock(F, LOCK_EX) or die; sleep $ARGV[1]",
                        path, "\(seconds)"]
    try holder.run()
    return holder
}

/// Thread-safe message collector for the waiter's callback.
final class Messages: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
