// The resume file of a landscape grid: the points computed so far, kept in the stage's resume
// directory (outside the object store). Written to a temporary name and renamed, so a kill -9
// leaves the previous complete file or the new one, never half of one.
//
// Layout: /done uint8 (N), /loss float64 (N), /accuracy float64 (N) (NaN where not done);
// attributes format, fingerprint.
import Foundation
import Store

public enum GridResume {
    static let fileName = "landscape-grid.h5"
    static let format = "batchlab-landscape-resume-1"

    public static func save(_ results: GridResults, fingerprint: String, in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = directory.appendingPathComponent(fileName)
        let temp = directory.appendingPathComponent(fileName + ".tmp")
        try? FileManager.default.removeItem(at: temp)
        let n = results.done.count
        let file = try HDF5File.create(temp.path)
        try file.write("/done", HDF5Array(shape: [n], values: results.done.map { $0 ? UInt8(1) : 0 }))
        try file.write("/loss", HDF5Array(shape: [n], values: results.loss))
        try file.write("/accuracy", HDF5Array(shape: [n], values: results.accuracy))
        try file.setAttribute("format", .string(format))
        try file.setAttribute("fingerprint", .string(fingerprint))
        try file.flush()
        try file.close()
        guard rename(temp.path, target.path) == 0 else {
            throw StudyError.badResumeState(path: target.path, detail: "rename failed: \(String(cString: strerror(errno)))")
        }
    }

    /// The saved points, or nil when there is no file; throws when one exists but belongs to another grid.
    public static func load(in directory: URL, fingerprint: String, pointCount: Int) throws -> GridResults? {
        let path = directory.appendingPathComponent(fileName).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let file: HDF5File
        do { file = try HDF5File.open(path) } catch {
            throw StudyError.badResumeState(path: path, detail: "\(error)")
        }
        defer { try? file.close() }
        guard case .string(format)? = try? file.attribute("format"),
              case .string(fingerprint)? = try? file.attribute("fingerprint") else {
            throw StudyError.badResumeState(path: path, detail: "written by another format or another grid")
        }
        let done = try file.read("/done", as: UInt8.self).values
        let loss = try file.read("/loss", as: Double.self).values
        let accuracy = try file.read("/accuracy", as: Double.self).values
        guard done.count == pointCount, loss.count == pointCount, accuracy.count == pointCount else {
            throw StudyError.badResumeState(path: path, detail: "holds \(done.count) points, the grid has \(pointCount)")
        }
        var results = GridResults(pointCount: pointCount)
        results.loss = loss
        results.accuracy = accuracy
        results.done = done.map { $0 != 0 }
        return results
    }

    public static func remove(in directory: URL) {
        try? FileManager.default.removeItem(at: directory)
    }
}
