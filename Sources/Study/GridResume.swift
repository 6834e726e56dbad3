// The resume file of a landscape grid: the points computed so far, kept in the stage's resume
// directory (outside the object store); atomic writes and format checks are `ResumeFile`'s.
//
// Layout: /done uint8 (N), /loss float64 (N), /accuracy float64 (N) (NaN where not done);
// attributes format, fingerprint.
import Foundation
import Landscape
import Store
import Training
import Training

public enum GridResume {
    static let fileName = "landscape-grid.h5"
    static let format = "batchlab-landscape-resume-1"

    public static func save(_ results: GridResults, fingerprint: String, in directory: URL) throws {
        let n = results.done.count
        try ResumeFile.write(fileName, in: directory, format: format, fingerprint: fingerprint) { file in
            try file.write("/done", HDF5Array(shape: [n], values: results.done.map { $0 ? UInt8(1) : 0 }))
            try file.write("/loss", HDF5Array(shape: [n], values: results.loss))
            try file.write("/accuracy", HDF5Array(shape: [n], values: results.accuracy))
        }
    }

    /// The saved points, or nil when there is no file; throws when one exists but belongs to another grid.
    public static func load(in directory: URL, fingerprint: String, pointCount: Int) throws -> GridResults? {
        try ResumeFile.read(fileName, in: directory, format: format, fingerprint: fingerprint, owner: "grid") { file, path in
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
    }

    public static func remove(in directory: URL) {
        try? FileManager.default.removeItem(at: directory)
    }
}
