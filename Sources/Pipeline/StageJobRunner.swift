// The stage's own process (`batchlab stage-job FOLDER/job.json`): rebuilds the body's context from
// the job file, checks the input objects against their hashes, runs the body, and leaves a receipt.
// Progress and notes go to stdout as `@@stage` lines (the local executor relays them). The process
// writes no index: the controller takes the outputs and the receipt in.
import Foundation
import Store

public enum StageJobRunner {
    /// The hidden batchlab subcommand: `batchlab stage-job FOLDER/job.json`.
    public static let command = "stage-job"

    /// Where the body's scratch folder is inside the job folder (its outputs under `body/out/`).
    static func bodyFolder(_ folder: URL) -> URL { folder.appendingPathComponent("body", isDirectory: true) }

    /// Runs the job and writes its receipt. Exit status: 0 succeeded, 1 failed, 3 interrupted, 2 no
    /// receipt could be written (the job file is unreadable, or its folder is gone). `numericEnvironment`
    /// is this process's: a job keyed for another one fails before its body runs.
    public static func main(jobPath: String, registry: StageRegistry, numericEnvironment: NumericIdentity,
                            stop: StopRequest) -> Int32 {
        let started = Date()
        let job: StageJob
        do { job = try StageJob.read(URL(fileURLWithPath: jobPath)) } catch {
            LineProtocol.error("\(error)")
            return 2
        }
        var receipt = StageReceipt(status: .succeeded, started: started, ended: started, host: ProcessInfo.processInfo.hostName)
        do {
            if let expected = job.numeric, expected != numericEnvironment.components {
                let mismatch = NumericEnvironmentMismatch(stage: job.instance, expected: NumericIdentity(expected),
                                                          actual: numericEnvironment, host: receipt.host)
                throw StageError.bodyFailed(stage: job.instance, error: mismatch.message)
            }
            let context = try makeContext(job, registry: registry, stop: stop)
            guard let kind = registry.kind(job.kind) else {
                throw StageJobError.unknownKind(path: jobPath, kind: job.kind)
            }
            try StageRunner.runBody(kind, name: job.instance, context: context)
            receipt.metrics = context.metrics
            receipt.measurements = context.measurements
        } catch let interrupted as StageInterrupted {
            receipt.status = .interrupted
            receipt.message = interrupted.kept
        } catch {
            receipt.status = .failed
            receipt.message = (error as? StageError)?.message ?? "\(error)"
        }
        receipt.ended = Date()
        do { try receipt.write(to: job.receiptURL) } catch {
            LineProtocol.error("cannot write the receipt: \(error)")
            return 2
        }
        switch receipt.status {
        case .succeeded: return 0
        case .failed: return 1
        case .interrupted: return 3
        }
    }

    private static func makeContext(_ job: StageJob, registry: StageRegistry, stop: StopRequest) throws -> StageContext {
        var parameters: [String: ParamValue] = [:]
        for (name, value) in job.parameters {
            guard let typed = value.value else {
                throw StageJobError.badJob(path: job.folder, detail: "parameter \(name) is not a number: \(value)")
            }
            parameters[name] = typed
        }
        var formats: [String: OutputFormat] = [:]
        for (name, raw) in job.outputs {
            guard let format = OutputFormat(rawValue: raw) else {
                throw StageJobError.badJob(path: job.folder, detail: "unknown output format \(raw)")
            }
            formats[name] = format
        }
        // A damaged input is never consumed unknowingly (as in the in-process runner).
        for (input, objects) in job.inputs.sorted(by: { $0.key < $1.key }) {
            for entry in objects {
                guard let (hash, _) = try? ObjectHash.ofFile(atPath: entry.path), hash == entry.object.hash else {
                    throw StageError.damagedInput(stage: job.instance, input: input, hash: entry.object.hash.hex)
                }
            }
        }
        let scratch = bodyFolder(job.folderURL)
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("out"), withIntermediateDirectories: true)
        return StageContext(instance: job.instance, parameters: parameters,
                            inputs: job.inputs.mapValues { $0.map { URL(fileURLWithPath: $0.path) } }, outputs: formats,
                            scratch: scratch, threads: job.threads,
                            resumeDirectory: job.resumeDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) },
                            inputObjects: job.inputs.mapValues { $0.map(\.object) }, runID: job.runID, index: job.index,
                            stop: stop, onProgress: LineProtocol.progress, onNote: LineProtocol.note)
    }
}

/// `@@stage progress TEXT` / `@@stage note TEXT` on stdout, one line each (newlines in TEXT become spaces).
enum LineProtocol {
    static let prefix = "@@stage "
    private static let lock = NSLock()

    @Sendable static func progress(_ text: String) { emit("progress", text) }
    @Sendable static func note(_ text: String) { emit("note", text) }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data("error: \(text)\n".utf8))
    }

    private static func emit(_ kind: String, _ text: String) {
        let line = prefix + kind + " " + text.replacingOccurrences(of: "\n", with: " ") + "\n"
        lock.withLock { FileHandle.standardOutput.write(Data(line.utf8)) }
    }

    /// Parses one stdout line of a stage process: (kind, text) or nil for anything else.
    static func parse(_ line: Substring) -> (kind: String, text: String)? {
        guard line.hasPrefix(prefix) else { return nil }
        let rest = line.dropFirst(prefix.count)
        guard let space = rest.firstIndex(of: " ") else { return nil }
        return (String(rest[..<space]), String(rest[rest.index(after: space)...]))
    }
}
