// The process lock for one artifacts/ folder: flock on artifacts/lock, holding the owner's pid for messages.
// flock locks belong to an open file description, so two locks in one process also exclude each other.
import Foundation

/// An exclusive lock on `artifacts/`. Released by `release()` or when the value is freed (or the process dies:
/// the kernel drops flock locks of a killed process, so a crash never leaves a stale lock).
public final class ArtifactsLock: @unchecked Sendable {
    public let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Takes the lock on `root/lock` (the folder is created if needed).
    /// - Parameters:
    ///   - wait: when the lock is held, wait for it (calling `onWait` once with a message naming the holder)
    ///     or, when false, throw `StoreError.locked` at once.
    ///   - onWait: told e.g. "artifacts/lock is held by pid 4242 (batchlab reproduce); waiting for it".
    public static func acquire(root: URL, wait: Bool, onWait: (String) -> Void = { _ in }) throws -> ArtifactsLock {
        try FileIO.makeDirectory(root.path)
        let path = root.appendingPathComponent("lock").path
        let fd = try posixCheck(open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644), "open lock file", path)
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK else {
                close(fd)
                throw posixError("lock", path, errno: code)
            }
            let holder = describeHolder(fd)
            guard wait else {
                close(fd)
                throw StoreError.locked(path: path, holder: holder)
            }
            onWait("\(path) is held by \(holder); waiting for it")
            while flock(fd, LOCK_EX) != 0 {
                if errno == EINTR { continue }
                let error = posixError("lock", path)
                close(fd)
                throw error
            }
        }
        // Record who holds it, for the next process's message. Not needed for correctness.
        let args = ProcessInfo.processInfo.arguments
        let command = ([URL(fileURLWithPath: args.first ?? "batchlab").lastPathComponent] + args.dropFirst())
            .joined(separator: " ").replacingOccurrences(of: "\n", with: " ")
        // The whole command line (the waiting process shows it), bounded so that one read gets it.
        let shown = command.utf8.count <= maxCommandBytes ? command
            : String(decoding: command.utf8.prefix(maxCommandBytes - 4), as: UTF8.self) + " …"
        let note = "\(getpid()) \(shown)\n"
        if ftruncate(fd, 0) == 0 {
            _ = note.utf8CString.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count - 1, 0) }
        }
        return ArtifactsLock(path: path, fd: fd)
    }

    /// Releases the lock. Releasing twice is a no-op.
    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }

    private static let maxCommandBytes = 2000

    /// "pid 4242 (batchlab reproduce p.yaml -j 2)" from the lock file's content, or "another process".
    private static func describeHolder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: maxCommandBytes + 64)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return "another process" }
        let text = String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = text.split(separator: " ", maxSplits: 1)
        guard let pid = parts.first.flatMap({ Int32($0) }) else { return "another process" }
        let command = parts.count > 1 ? " (\(parts[1]))" : ""
        return "pid \(pid)\(command)"
    }
}
