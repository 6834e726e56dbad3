// Small POSIX helpers for durable writes: full writes and reads, fsync of files and directories, mkdir -p.
import Foundation

enum FileIO {
    /// Writes all of `buffer` to `fd`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n == -1 {
                if errno == EINTR { continue }
                throw posixError("write", path)
            }
            offset += n
        }
    }

    /// Reads into `buffer` until it is full or the file ends; returns the byte count.
    static func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        while true {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            if n == -1 {
                if errno == EINTR { continue }
                throw posixError("read", path)
            }
            return n
        }
    }

    /// fsync of a directory, so a rename or a new entry in it survives a crash.
    static func syncDirectory(_ path: String) throws {
        let fd = try posixCheck(open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), "open directory", path)
        defer { close(fd) }
        try posixCheck(fsync(fd), "fsync directory", path)
    }

    /// Creates `path` and missing parents; fsyncs each parent that got a new entry. Returns whether it created anything.
    @discardableResult
    static func makeDirectory(_ path: String) throws -> Bool {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { return false }
            throw StoreError.io(operation: "create directory", path: path, reason: "a file is in the way")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectory(parent) }
        if mkdir(path, 0o755) == -1, errno != EEXIST { throw posixError("create directory", path) }
        if !parent.isEmpty { try syncDirectory(parent) }
        return true
    }

    /// Size of a file, or nil when it does not exist.
    static func size(_ path: String) -> Int64? {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : nil
    }

    /// Device id of a path's file system (to know whether rename can move a file there).
    static func device(_ path: String) throws -> UInt64 {
        var st = stat()
        try posixCheck(stat(path, &st), "stat", path)
        return UInt64(st.st_dev)
    }
}
