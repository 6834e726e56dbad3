// Each stage body in its own process: `<batchlab> stage-job FOLDER/job.json`, FOLDER a fresh scratch
// folder. A body that segfaults, aborts or is OOM-killed fails alone, with its signal and the tail
// of its stderr; the controller goes on. The child's stdin is a pipe this process never writes: when
// the controller dies (even by kill -9) the child reads EOF and stops at its next safe point.
import Foundation
import Store

final class ProcessLauncher: BodyLauncher, @unchecked Sendable {
    private let executable: String
    private let store: ArtifactStore
    private let reporter: ProgressReporter
    private let lock = NSLock()
    private var running: [Int: Process] = [:]  // step → its process

    init(executable: String, store: ArtifactStore, reporter: ProgressReporter) {
        self.executable = executable
        self.store = store
        self.reporter = reporter
    }

    func launch(_ requests: [BodyRequest], done: @escaping @Sendable (BodyCompletion) -> Void) throws {
        for request in requests {
            let began = Date()
            do {
                let (folder, job) = try JobFolder.prepare(request, store: store, folder: store.makeScratch(for: request.instance.name))
                try start(request, folder: folder, job: job, started: began, done: done)
            } catch {
                done(BodyCompletion(step: request.step, result: .failure(error), start: began, end: Date()))
            }
        }
    }

    private func start(_ request: BodyRequest, folder: URL, job: URL, started: Date,
                       done: @escaping @Sendable (BodyCompletion) -> Void) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [StageJobRunner.command, job.path]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        let stderrURL = folder.appendingPathComponent(StageJob.stderrName)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            try? stderr.close()
            throw StageError.processDied(stage: request.instance.name, how: "could not start (\(executable): \(error))",
                                         stderrTail: "")
        }
        try? stderr.close()
        try? stdin.fileHandleForReading.close()
        lock.withLock { running[request.step] = process }
        let name = request.instance.name
        Thread.detachNewThread { [self, reporter] in
            relay(stdout.fileHandleForReading, name: name, reporter: reporter)
            process.waitUntilExit()
            try? stdin.fileHandleForWriting.close()
            lock.withLock { running[request.step] = nil }
            let result = Result {
                try BodyResult.judge(folder: folder, instance: request.instance, threads: request.threads,
                                     died: Self.describe(process))
            }
            // A body that failed or stopped leaves nothing worth keeping here (its error holds the stderr
            // tail; resume files live in artifacts/resume/), and on a full disk its partial outputs
            // would keep the disk full.
            if case .failure = result { try? FileManager.default.removeItem(at: folder) }
            done(BodyCompletion(step: request.step, result: result, start: started, end: Date()))
        }
    }

    /// Passes the child's `@@stage` lines to the progress display until it closes stdout.
    private func relay(_ handle: FileHandle, name: String, reporter: ProgressReporter) {
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                switch LineProtocol.parse(Substring(line)) {
                case ("progress", let text)?: reporter.report(.progress(name, text))
                case ("note", let text)?: reporter.report(.note(name, text))
                default: break
                }
            }
        }
    }

    /// "was killed by SIGSEGV (segmentation fault)" or "exited with status 2 without a receipt".
    static func describe(_ process: Process) -> String {
        if process.terminationReason == .uncaughtSignal { return ProcessDeath.signal(process.terminationStatus) }
        return "exited with status \(process.terminationStatus) without a receipt"
    }

    func requestStop() {
        for process in lock.withLock({ Array(running.values) }) { kill(process.processIdentifier, SIGTERM) }
    }

    func abandon() {
        for process in lock.withLock({ Array(running.values) }) { kill(process.processIdentifier, SIGKILL) }
    }
}

/// How a stage process died, in words.
enum ProcessDeath {
    static func signal(_ number: Int32) -> String {
        let names: [Int32: String] = [
            SIGSEGV: "SIGSEGV (segmentation fault)", SIGABRT: "SIGABRT (abort: a failed check in C code or a Swift fatal error)",
            SIGBUS: "SIGBUS (bus error)", SIGILL: "SIGILL (illegal instruction: a CPU feature this machine lacks?)",
            SIGFPE: "SIGFPE (arithmetic exception)", SIGTRAP: "SIGTRAP (a Swift runtime trap: overflow, bad index, nil)",
            SIGKILL: "SIGKILL (out of memory? the kernel's OOM killer sends it)", SIGTERM: "SIGTERM", SIGINT: "SIGINT",
        ]
        return "was killed by " + (names[number] ?? "signal \(number)")
    }
}

/// A job folder: the job file a stage process runs from, and later its receipt, stderr and outputs.
enum JobFolder {
    /// Writes `job.json` for the request into `folder` (taking the index snapshot the body may read).
    static func prepare(_ request: BodyRequest, store: ArtifactStore, folder: URL) throws -> (URL, URL) {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let snapshot = try (store as? StageIndexReader).map {
            try IndexSnapshot(reader: $0, objects: request.inputs.values.flatMap { $0 })
        }
        let job = StageJob(request.instance, inputs: request.inputs, store: store, folder: folder, threads: request.threads,
                           key: request.key, runID: request.runID, index: snapshot)
        let url = folder.appendingPathComponent(StageJob.fileName)
        try job.write(to: url)
        return (folder, url)
    }
}
