// How the executor starts stage bodies: in a thread of this process (`ThreadLauncher`), each in its
// own process (`ProcessLauncher`, the CLI's default), or as Slurm jobs (`SlurmLauncher`). The
// executor decides what runs (the `Scheduler`) and stores what finished; a launcher only starts
// bodies, reports each one's end, and stops them when the run is interrupted.
import Foundation
import Store

/// One body to start.
struct BodyRequest: Sendable {
    let step: Int
    let instance: StageInstance
    let inputs: [String: [StoredObject]]
    let key: String
    let threads: Int
    let runID: Int64
}

/// What a finished body left for the executor to store: its output files (inside `folder`, which
/// the executor removes once they are stored), metrics and measurements.
struct BodyResult: Sendable {
    let folder: URL
    let outputs: [String: URL]
    let metrics: [String: Double]
    let measurements: [String: Double]
    let threads: Int
}

/// A body's end, as a launcher reports it (from any thread).
struct BodyCompletion: Sendable {
    let step: Int
    let result: Result<BodyResult, Error>
    let start: Date
    let end: Date
}

protocol BodyLauncher: AnyObject, Sendable {
    /// Starts the bodies of steps that became ready together (a Slurm launcher submits the instances
    /// of one fan-out as one job array). Each one's end is reported once through `done`. Throws only
    /// for the controller's own trouble (the index), which ends the run.
    func launch(_ requests: [BodyRequest], done: @escaping @Sendable (BodyCompletion) -> Void) throws
    /// The run is being interrupted: ask running bodies to stop at their next safe point.
    func requestStop()
    /// The grace period is over: whatever still runs is stopped now (the run ends without it).
    func abandon()
}

/// Bodies as threads of this process (the engine's original way; the library's default, used by
/// the engine's unit tests and `verify --rerun`). A crash in one body ends the whole process.
final class ThreadLauncher: BodyLauncher, @unchecked Sendable {
    private let store: ArtifactStore
    private let stop: StopRequest
    private let reporter: ProgressReporter

    init(store: ArtifactStore, stop: StopRequest, reporter: ProgressReporter) {
        self.store = store
        self.stop = stop
        self.reporter = reporter
    }

    func launch(_ requests: [BodyRequest], done: @escaping @Sendable (BodyCompletion) -> Void) {
        for request in requests {
            Thread.detachNewThread { [self] in
                let start = Date(), name = request.instance.name, reporter = self.reporter
                let result = Result {
                    let context = try StageRunner.run(
                        request.instance, inputs: request.inputs, store: store, threads: request.threads,
                        key: request.key, runID: request.runID, stop: stop,
                        onProgress: { reporter.report(.progress(name, $0)) },
                        onNote: { reporter.report(.note(name, $0)) })
                    return BodyResult(folder: context.scratch,
                                      outputs: Dictionary(uniqueKeysWithValues: request.instance.kind.outputs.map {
                                          ($0.name, context.output($0.name))
                                      }),
                                      metrics: context.metrics, measurements: context.measurements,
                                      threads: context.threads)
                }
                done(BodyCompletion(step: request.step, result: result, start: start, end: Date()))
            }
        }
    }

    // Bodies watch the shared StopRequest themselves; threads cannot be stopped from outside.
    func requestStop() {}
    func abandon() {}
}

// MARK: - Receipts: how a body that ran elsewhere ended

extension BodyResult {
    /// The outputs a stage process wrote into its job folder (`body/out/`).
    static func fromJobFolder(_ folder: URL, instance: StageInstance, receipt: StageReceipt, threads: Int) -> BodyResult {
        let body = StageJobRunner.bodyFolder(folder)
        return BodyResult(folder: folder,
                          outputs: Dictionary(uniqueKeysWithValues: instance.kind.outputs.map {
                              ($0.name, StageContext.outputURL(in: body, name: $0.name, format: $0.format))
                          }),
                          metrics: receipt.metrics, measurements: receipt.measurements, threads: threads)
    }

    /// Judges a stage process that ended: its receipt when it left one, else how it died.
    static func judge(folder: URL, instance: StageInstance, threads: Int, died: @autoclosure () -> String) throws -> BodyResult {
        guard let receipt = StageReceipt.read(folder.appendingPathComponent(StageJob.receiptName)) else {
            throw StageError.processDied(stage: instance.name, how: died(),
                                         stderrTail: StderrTail.read(folder.appendingPathComponent(StageJob.stderrName)))
        }
        switch receipt.status {
        case .succeeded:
            return fromJobFolder(folder, instance: instance, receipt: receipt, threads: threads)
        case .failed:
            throw StageError.bodyFailed(stage: instance.name, error: receipt.message ?? "failed (no message)")
        case .interrupted:
            throw StageInterrupted(stage: instance.name, kept: receipt.message ?? "its resume folder")
        }
    }
}

/// The last lines of a stage process's stderr (what a crash leaves: a Swift fatal error, an abort).
/// When Swift's backtracer reported a crash, the useful part is what the program printed before it,
/// the crash line and the crashed thread's first frames, not the register dump at the end.
enum StderrTail {
    static func read(_ url: URL, lines count: Int = 20) -> String {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return "" }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let report = lines.firstIndex(where: { $0.hasPrefix("*** ") }),
              let crash = lines[report...].firstIndex(where: { $0.hasPrefix("*** Program crashed") }) else {
            return lines.suffix(count).joined(separator: "\n")
        }
        var kept = Array(lines[..<report].suffix(10)) + [lines[crash]]
        if let thread = lines[crash...].firstIndex(where: { $0.hasSuffix(" crashed:") }) {
            kept += lines[(thread + 1)...].prefix { !$0.hasPrefix("...") && !$0.hasPrefix("Thread ") }.prefix(6)
        }
        return kept.joined(separator: "\n")
    }
}
