// The content-addressed object store: immutable files at artifacts/objects/<2 hex>/<sha256>.
// Every object arrives by temp file (same file system) + fsync + rename + fsync of the directory.
import Foundation

/// An object in the store: its hash (computed while writing, so nobody needs to rehash it) and size.
public struct StoredObject: Sendable, Hashable, Codable {
    public let hash: ObjectHash
    public let size: Int64

    /// For callers that carry a recorded object between the index and the store (e.g. the executor).
    public init(hash: ObjectHash, size: Int64) {
        self.hash = hash
        self.size = size
    }
}

/// The result of rehashing one object.
public enum ObjectCheck: Sendable, Equatable {
    case ok
    case missing
    case corrupted(actual: ObjectHash)
}

/// Objects under `root/objects`, scratch space under `root/tmp`. Value type; safe to share between threads.
/// Writers must hold the `ArtifactsLock` for `cleanScratch()` and `remove`; `put` is safe from many threads.
public struct ObjectStore: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    public var objectsDirectory: URL { root.appendingPathComponent("objects", isDirectory: true) }
    public var scratchDirectory: URL { root.appendingPathComponent("tmp", isDirectory: true) }

    /// Where the object with `hash` lives (whether or not it exists).
    public func url(of hash: ObjectHash) -> URL {
        objectsDirectory.appendingPathComponent(String(hash.hex.prefix(2)), isDirectory: true)
            .appendingPathComponent(hash.hex)
    }

    /// Whether the object exists (one stat; does not rehash).
    public func contains(_ hash: ObjectHash) -> Bool {
        FileIO.size(url(of: hash).path) != nil
    }

    // MARK: - Scratch space

    /// A fresh path in the store's scratch directory (same file system as the objects, so moving in is a rename).
    /// Stages write their outputs there, then `put(file:)` moves them in. The file is not created.
    public func makeScratchURL(suffix: String = "") throws -> URL {
        try FileIO.makeDirectory(scratchDirectory.path)
        return scratchDirectory.appendingPathComponent(UUID().uuidString.lowercased() + suffix)
    }

    /// A fresh, empty scratch directory (for stages that write several files before they are stored).
    public func makeScratchDirectory() throws -> URL {
        let url = try makeScratchURL()
        try posixCheck(mkdir(url.path, 0o755), "create directory", url.path)
        return url
    }

    /// Deletes everything in the scratch directory: leftovers of killed processes. Only with the lock held.
    public func cleanScratch() throws {
        let dir = scratchDirectory.path
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names {
            let path = dir + "/" + name
            do { try FileManager.default.removeItem(atPath: path) } catch {
                throw StoreError.io(operation: "remove scratch file", path: path, reason: "\(error)")
            }
        }
    }

    // MARK: - Putting objects in

    /// Moves a finished file into the store and returns its hash and size. The file is consumed:
    /// renamed into place (or deleted when the object already exists). On failure the store is unchanged
    /// and the file is left where it was.
    public func put(file: URL) throws -> StoredObject {
        let source = file.path
        let fd = try posixCheck(open(source, O_RDONLY | O_CLOEXEC), "open", source)
        let (hash, size): (ObjectHash, Int64)
        do {
            (hash, size) = try ObjectHash.ofOpenFile(fd, path: source)
            try posixCheck(fsync(fd), "fsync", source)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        if try existingMatches(hash) {
            unlink(source)
            return StoredObject(hash: hash, size: size)
        }
        try FileIO.makeDirectory(scratchDirectory.path)
        if try FileIO.device(source) != FileIO.device(scratchDirectory.path) {
            // rename cannot cross file systems: copy into scratch first, then move that in.
            let copy = try makeScratchURL()
            try copyDurably(from: source, to: copy.path)
            try install(copy.path, as: hash, removeOnFailure: true)
            unlink(source)
        } else {
            try install(source, as: hash, removeOnFailure: false)
        }
        return StoredObject(hash: hash, size: size)
    }

    /// Lets `body` write a file at a fresh scratch path, then moves it in: a stage output never appears
    /// in the store half-written. If `body` throws, the scratch file is removed and the error rethrown.
    public func put(suffix: String = "", writing body: (URL) throws -> Void) throws -> StoredObject {
        let scratch = try makeScratchURL(suffix: suffix)
        do {
            try body(scratch)
            return try put(file: scratch)
        } catch {
            unlink(scratch.path)
            throw error
        }
    }

    /// Writes `bytes` as an object (through a temp file), hashing them on the way.
    public func put<D: DataProtocol>(bytes: D) throws -> StoredObject {
        let hash = ObjectHash.of(bytes)
        let size = Int64(bytes.count)
        if try existingMatches(hash) { return StoredObject(hash: hash, size: size) }
        let temp = try makeScratchURL().path
        let fd = try posixCheck(open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644), "create", temp)
        do {
            for region in bytes.regions {
                try region.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: temp) }
            }
            try posixCheck(fsync(fd), "fsync", temp)
            try posixCheck(close(fd), "close", temp)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        try install(temp, as: hash, removeOnFailure: true)
        return StoredObject(hash: hash, size: size)
    }

    /// Makes `temp` read-only and renames it to the object's path; fsyncs the directories involved.
    /// With `removeOnFailure` (our own temp files) `temp` is deleted if anything fails: no partial object appears.
    private func install(_ temp: String, as hash: ObjectHash, removeOnFailure: Bool) throws {
        do {
            let target = url(of: hash).path
            let dir = url(of: hash).deletingLastPathComponent().path
            try FileIO.makeDirectory(dir)
            try posixCheck(chmod(temp, 0o444), "make read-only", temp)
            try posixCheck(rename(temp, target), "move into the store", target)
            try FileIO.syncDirectory(dir)
        } catch {
            if removeOnFailure { unlink(temp) }
            throw error
        }
    }

    /// Copies a file into the store's file system and fsyncs it; removes the copy on failure.
    private func copyDurably(from source: String, to target: String) throws {
        let input = try posixCheck(open(source, O_RDONLY | O_CLOEXEC), "open", source)
        defer { close(input) }
        let output = try posixCheck(open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644), "create", target)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        do {
            while true {
                let n = try FileIO.readSome(input, buffer, path: source)
                if n == 0 { break }
                try FileIO.writeAll(output, UnsafeRawBufferPointer(rebasing: buffer[0..<n]), path: target)
            }
            try posixCheck(fsync(output), "fsync", target)
            try posixCheck(close(output), "close", target)
        } catch {
            close(output)
            unlink(target)
            throw error
        }
    }

    /// True when the object is already stored intact (deduplication). A present but corrupted copy
    /// returns false, so the new, good bytes replace it: that is how a rebuild repairs a damaged object.
    private func existingMatches(_ hash: ObjectHash) throws -> Bool {
        check(hash) == .ok
    }

    // MARK: - Checking and removing

    /// Rehashes one object.
    public func check(_ hash: ObjectHash) -> ObjectCheck {
        let path = url(of: hash).path
        guard FileIO.size(path) != nil else { return .missing }
        guard let (actual, _) = try? ObjectHash.ofFile(atPath: path) else { return .missing }
        return actual == hash ? .ok : .corrupted(actual: actual)
    }

    /// Every object file in the store (names that are not a hash are ignored), sorted.
    public func allObjects() throws -> [ObjectHash] {
        let fm = FileManager.default
        guard let prefixes = try? fm.contentsOfDirectory(atPath: objectsDirectory.path) else { return [] }
        var result: [ObjectHash] = []
        for prefix in prefixes where prefix.count == 2 {
            let dir = objectsDirectory.appendingPathComponent(prefix).path
            for name in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] {
                if let hash = ObjectHash(hex: name), hash.hex.hasPrefix(prefix) { result.append(hash) }
            }
        }
        return result.sorted()
    }

    /// Deletes one object; returns the bytes freed (0 if it was not there).
    @discardableResult
    public func remove(_ hash: ObjectHash) throws -> Int64 {
        let path = url(of: hash).path
        guard let size = FileIO.size(path) else { return 0 }
        try posixCheck(unlink(path), "delete", path)
        return size
    }
}
