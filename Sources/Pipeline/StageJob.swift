// The job file of one stage instance run in its own process (`batchlab stage-job FOLDER/job.json`,
// started by the local process executor or submitted to Slurm), and the receipt that process leaves.
// Everything a body needs travels in the job: parameters, input objects (path, hash, size), where
// to write (the folder's out/), the resume folder, threads, and a snapshot of what the body may read
// from the run index — the process never opens the SQLite index (only the controller does).
import Foundation
import Store

public struct StageJob: Codable, Sendable {
    public static let fileName = "job.json"
    public static let receiptName = "receipt.json"
    public static let stderrName = "stderr.txt"
    static let format = "batchlab-stage-job-1"

    public struct Input: Codable, Sendable {
        public var path: String
        public var object: StoredObject
    }

    var format = StageJob.format
    public var kind: String
    public var instance: String
    public var parameters: [String: JobValue]
    public var inputs: [String: [Input]]
    /// Output name → OutputFormat raw value; the body writes them into `folder/out/`.
    public var outputs: [String: String]
    public var folder: String
    public var threads: Int
    public var resumeDirectory: String?
    public var runID: Int64?
    public var index: IndexSnapshot?
    /// The numeric environment the key was computed for (a `.kernels` kind; nil otherwise). The job's
    /// process refuses to run the body under another one (a Slurm node of another CPU kind).
    public var numeric: [String: String]?

    public var folderURL: URL { URL(fileURLWithPath: folder, isDirectory: true) }
    public var receiptURL: URL { folderURL.appendingPathComponent(Self.receiptName) }

    /// The job of one instance whose body runs in `folder` (which must exist).
    init(_ instance: StageInstance, inputs: [String: [StoredObject]], store: ArtifactStore, folder: URL, threads: Int,
         key: String, runID: Int64?, index: IndexSnapshot?) {
        kind = instance.kind.kind
        self.instance = instance.name
        parameters = instance.parameters.mapValues(JobValue.init)
        var all = inputs
        for spec in instance.kind.inputs where all[spec.name] == nil { all[spec.name] = [] }
        self.inputs = all.mapValues { $0.map { Input(path: store.url(of: $0).path, object: $0) } }
        outputs = Dictionary(uniqueKeysWithValues: instance.kind.outputs.map { ($0.name, $0.format.rawValue) })
        self.folder = folder.path
        self.threads = threads
        resumeDirectory = StageRunner.resumeDirectory(store, key: key)?.path
        self.runID = runID
        self.index = index
        numeric = instance.numeric.isEmpty ? nil : instance.numeric
    }

    public func write(to url: URL) throws {
        try AtomicFile.write(JobJSON.encoder.encode(self), to: url)
    }

    public static func read(_ url: URL) throws -> StageJob {
        let job: StageJob
        do {
            job = try JobJSON.decoder.decode(StageJob.self, from: Data(contentsOf: url))
        } catch {
            throw StageJobError.badJob(path: url.path, detail: "\(error)")
        }
        guard job.format == format else {
            throw StageJobError.badJob(path: url.path, detail: "format \(job.format), expected \(format)")
        }
        return job
    }
}

/// What the stage's process reports: how the body ended, its metrics and measurements, and why it
/// failed. Written last (temp + fsync + rename), so a receipt that exists is complete.
public struct StageReceipt: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case succeeded, failed, interrupted }

    public var status: Status
    /// The failure message (failed) or what the next run resumes from (interrupted).
    public var message: String?
    public var metrics: [String: Double] = [:]
    public var measurements: [String: Double] = [:]
    public var started: Date
    public var ended: Date
    public var host: String

    public func write(to url: URL) throws {
        try AtomicFile.write(JobJSON.encoder.encode(self), to: url)
    }

    /// The receipt in a job folder; nil when there is none (yet), or it is unreadable.
    public static func read(_ url: URL) -> StageReceipt? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JobJSON.decoder.decode(StageReceipt.self, from: data)
    }
}

public enum StageJobError: Error, CustomStringConvertible {
    case badJob(path: String, detail: String)
    case unknownKind(path: String, kind: String)

    public var description: String {
        switch self {
        case let .badJob(path, detail): "stage job \(path) is unreadable: \(detail)"
        case let .unknownKind(path, kind):
            "stage job \(path) names stage kind '\(kind)', which this batchlab does not know "
                + "(the same binary must run the controller and the jobs)"
        }
    }
}

/// JSON of job files and receipts. Metrics (a receipt's, a producer's in the index snapshot) may be NaN
/// or infinite, which plain JSON cannot hold: they travel as the strings "nan", "inf", "-inf".
enum JobJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}

/// Temp file + fsync + rename in the same folder: readers see the whole file or none.
enum AtomicFile {
    static func write(_ data: Data, to url: URL) throws {
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try data.write(to: temp)
        let fd = open(temp.path, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        guard rename(temp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw StageJobError.badJob(path: url.path, detail: "cannot rename into place: \(reason)")
        }
    }
}
