// The mechanics every resume file shares (train state, landscape grid): written to a temporary name,
// fsynced by HDF5's close, then renamed, so a kill -9 leaves the previous complete file or the new
// one, never half of one; read back only when its format and fingerprint match.
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
}
