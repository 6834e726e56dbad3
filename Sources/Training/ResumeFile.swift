// The mechanics every resume file shares (train state, landscape grid): written to a temporary name,
// fsynced by HDF5's close, then renamed, so a kill -9 leaves the previous complete file or the new
// one, never half of one; read back only when its bytes match the checksum written beside it and its
// format and fingerprint match. (Resume files are not objects, so nothing else checks their bytes, and
// libhdf5 1.10 can crash on a damaged file: the store fuzz target's crashers are in Fuzz/hdf5-crashers.)
import Foundation
import Store

public enum ResumeFile {
    /// Writes `name` in `directory` atomically; `body` fills the file, `format` and `fingerprint` are added.
    public static func write(_ name: String, in directory: URL, format: String, fingerprint: String,
                      _ body: (HDF5File) throws -> Void) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = directory.appendingPathComponent(name)
        let temp = directory.appendingPathComponent(name + ".tmp")
        try? FileManager.default.removeItem(at: temp)
        let file = try HDF5File.create(temp.path)
        try body(file)
        try file.setAttribute("format", .string(format))
        try file.setAttribute("fingerprint", .string(fingerprint))
        try file.flush()
        try file.close()
        // The new file's SHA-256 and the one of the file it replaces: a kill between the two renames
        // leaves the old file with a checksum list that still accepts it.
        let new = try ObjectHash.ofFile(atPath: temp.path).hash.hex
        let previous = acceptedChecksums(of: target).first.map { [$0] } ?? []
        try Data(([new] + previous).joined(separator: "\n").utf8).write(to: checksumURL(target), options: .atomic)
        guard rename(temp.path, target.path) == 0 else {
            throw StudyError.badResumeState(path: target.path, detail: "rename failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Opens `name` in `directory` and passes it to `body`; nil when there is no file. Throws when the
    /// file cannot be opened or was written by another format or for another fingerprint (`owner`
    /// names what it should belong to, e.g. "run" or "grid").
    public static func read<T>(_ name: String, in directory: URL, format: String, fingerprint: String, owner: String,
                        _ body: (HDF5File, String) throws -> T) throws -> T? {
        let path = directory.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let accepted = acceptedChecksums(of: URL(fileURLWithPath: path))
        guard let actual = try? ObjectHash.ofFile(atPath: path).hash.hex, accepted.contains(actual) else {
            throw StudyError.badResumeState(path: path, detail: accepted.isEmpty ? "no checksum file beside it"
                                                : "its bytes do not match the SHA-256 written with it: it is damaged")
        }
        let file: HDF5File
        do { file = try HDF5File.open(path) } catch {
            throw StudyError.badResumeState(path: path, detail: "\(error)")
        }
        defer { try? file.close() }
        guard case .string(format)? = try? file.attribute("format"),
              case .string(fingerprint)? = try? file.attribute("fingerprint") else {
            throw StudyError.badResumeState(path: path, detail: "written by another format or another \(owner)")
        }
        return try body(file, path)
    }

    /// `<name>.sha256`: the SHA-256 (hex) of the resume file, then of the one it replaced.
    static func checksumURL(_ file: URL) -> URL { file.appendingPathExtension("sha256") }

    static func acceptedChecksums(of file: URL) -> [String] {
        guard let text = try? String(contentsOf: checksumURL(file), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }
}
