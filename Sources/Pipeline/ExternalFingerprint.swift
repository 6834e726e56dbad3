// External inputs: a folder (or file) outside the object store that a stage reads, named by a
// parameter. Its CONTENTS go into the cache key: every file's relative path, size and SHA-256. Per-file
// hashes are remembered by (size, mtime, inode) in a small table, so an unchanged folder costs one stat
// per file (dvc's directory hashing); a touched but unchanged file is rehashed once and stays fresh.
import Foundation
import Store

public enum ExternalFingerprint {
    /// The fingerprint of what is at `path`: `sha256:<hex>` of the sorted lines `relpath\tsize\tsha256\n`
    /// of every regular file below it (hidden names, starting with ".", are skipped, as the photo import
    /// skips them; a plain file is listed as ""), or `absent` if nothing is there or it is unreadable. The
    /// path itself is not in it: the same contents in another place give the same fingerprint.
    /// `cacheDirectory` holds the per-file hash tables (nil: hash every file every time).
    public static func of(path: String, cacheDirectory: URL?) -> String {
        let root = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        guard let files = listing(root) else { return "absent" }
        let tableURL = cacheDirectory?.appendingPathComponent(ObjectHash.of(Data(root.path.utf8)).hex + ".tsv")
        let known = tableURL.map(readTable) ?? [:]
        var table: [String: FileStamp] = [:]
        var lines = ""
        for file in files {
            var stamp = file.stamp
            if let old = known[file.relativePath], old.sameFile(as: stamp) {
                stamp.sha256 = old.sha256
            } else {
                let url = file.relativePath.isEmpty ? root : root.appendingPathComponent(file.relativePath)
                guard let hashed = try? ObjectHash.ofFile(atPath: url.path) else { return "absent" }
                stamp.sha256 = hashed.hash.hex
            }
            table[file.relativePath] = stamp
            lines += "\(file.relativePath)\t\(stamp.size)\t\(stamp.sha256)\n"
        }
        if let tableURL, table != known { writeTable(table, to: tableURL) }
        return "sha256:" + ObjectHash.of(Data(lines.utf8)).hex
    }

    // MARK: - Listing

    public struct FileStamp: Equatable, Sendable {
        public internal(set) var size: Int64
        var mtimeNanoseconds: Int64
        var inode: UInt64
        var sha256 = ""

        func sameFile(as other: FileStamp) -> Bool {
            size == other.size && mtimeNanoseconds == other.mtimeNanoseconds && inode == other.inode && !sha256.isEmpty
        }
    }

    public struct ListedFile: Sendable {
        public let relativePath: String
        public let stamp: FileStamp
    }

    /// Regular files below `root` (symlinks followed), sorted by the bytes of their relative paths.
    public static func listing(_ root: URL) -> [ListedFile]? {
        guard let rootStamp = stamp(root.path) else { return nil }
        if !rootStamp.isDirectory {
            return rootStamp.isRegular ? [ListedFile(relativePath: "", stamp: rootStamp.stamp)] : nil
        }
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return nil }
        var files: [ListedFile] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard let s = stamp(root.appendingPathComponent(relative).path) else { continue }
            if name.hasPrefix(".") {
                if s.isDirectory { walker.skipDescendants() }
                continue
            }
            if s.isRegular { files.append(ListedFile(relativePath: relative, stamp: s.stamp)) }
        }
        return files.sorted { $0.relativePath.utf8.lexicographicallyPrecedes($1.relativePath.utf8) }
    }

    private static func stamp(_ path: String) -> (stamp: FileStamp, isDirectory: Bool, isRegular: Bool)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return (FileStamp(size: Int64(info.st_size), mtimeNanoseconds: mtime, inode: UInt64(info.st_ino)),
                type == S_IFDIR, type == S_IFREG)
    }

    // MARK: - The per-file hash table (a cache: unreadable or missing means "hash again")

    /// Lines `size\tmtime_ns\tinode\tsha256\trelpath`.
    static func readTable(_ url: URL) -> [String: FileStamp] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var table: [String: FileStamp] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let f = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false)
            guard f.count == 5, let size = Int64(f[0]), let mtime = Int64(f[1]), let inode = UInt64(f[2]),
                  f[3].count == 64 else { continue }
            table[String(f[4])] = FileStamp(size: size, mtimeNanoseconds: mtime, inode: inode, sha256: String(f[3]))
        }
        return table
    }

    /// Temp file + rename; a failure only loses the cache, never the fingerprint.
    static func writeTable(_ table: [String: FileStamp], to url: URL) {
        let text = table.sorted { $0.key < $1.key }.map { path, s in
            "\(s.size)\t\(s.mtimeNanoseconds)\t\(s.inode)\t\(s.sha256)\t\(path)\n"
        }.joined()
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: temp)
            guard rename(temp.path, url.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temp)
        }
    }
}
