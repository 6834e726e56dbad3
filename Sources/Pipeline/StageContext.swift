// What a stage body sees: typed parameters, input object paths, output paths in its scratch
// folder, its thread budget, and channels for progress, metrics and measurements.
import Foundation
import Store

/// Passed to `Stage.run`. Parameters and inputs were validated when the pipeline was loaded,
/// so asking for an undeclared name is a programmer error (precondition), not a thrown error.
public final class StageContext: @unchecked Sendable {
    public let instance: String
    public let parameters: [String: ParamValue]
    /// Folder the body may use freely; outputs go to `output(name)` inside it.
    public let scratch: URL
    /// Threads the body may use (cores / jobs); bodies must give the same bits for the same value.
    public let threads: Int
    /// A folder that survives a killed run, private to this stage's cache key (outside the object
    /// store): long stages keep resume checkpoints here. Nil when the store has no such place.
    public let resumeDirectory: URL?
    /// The run this body executes in, and a read-only view of the run index (nil in tests without one).
    public let runID: Int64?
    public let index: StageIndexReader?
    /// Set when the run is being interrupted: long bodies check it after each resume checkpoint.
    public let stop: StopRequest

    private let inputPaths: [String: [URL]]
    private let inputRecords: [String: [StoredObject]]
    private let outputFormats: [String: OutputFormat]
    private let onProgress: @Sendable (String) -> Void
    private let onNote: @Sendable (String) -> Void
    private let lock = NSLock()
    private var _metrics: [String: Double] = [:]
    private var _measurements: [String: Double] = [:]

    public init(instance: String, parameters: [String: ParamValue], inputs: [String: [URL]],
                outputs: [String: OutputFormat], scratch: URL, threads: Int, resumeDirectory: URL? = nil,
                inputObjects: [String: [StoredObject]] = [:], runID: Int64? = nil, index: StageIndexReader? = nil,
                stop: StopRequest = StopRequest(), onProgress: @escaping @Sendable (String) -> Void = { _ in },
                onNote: @escaping @Sendable (String) -> Void = { _ in }) {
        self.instance = instance
        self.parameters = parameters
        self.inputPaths = inputs
        self.inputRecords = inputObjects
        self.runID = runID
        self.index = index
        self.outputFormats = outputs
        self.scratch = scratch
        self.threads = threads
        self.resumeDirectory = resumeDirectory
        self.stop = stop
        self.onProgress = onProgress
        self.onNote = onNote
    }

    // MARK: - Parameters

    /// The stage's parameters as its typed value (`SharpnessStage.Parameters`). Throws when a value is
    /// missing or outside its declaration, which only a caller that bypassed the loader can cause.
    public func parameters<P: StageParameters>(_ type: P.Type) throws -> P { try P(parameters, stage: instance) }

    // MARK: - Inputs and outputs

    /// The object behind a single-valued input (read-only; never modify it).
    public func input(_ name: String) -> URL {
        let urls = inputs(name)
        precondition(urls.count == 1, "\(instance): input \(name) holds \(urls.count) objects; use inputs(_:)")
        return urls[0]
    }

    /// The objects behind an input, in pipeline order.
    public func inputs(_ name: String) -> [URL] {
        guard let urls = inputPaths[name] else { preconditionFailure("\(instance): undeclared input \(name)") }
        return urls
    }

    /// The recorded objects (hash, size) behind an input, in the order of `inputs(_:)`; empty when
    /// the context was built without them (tests).
    public func inputObjects(_ name: String) -> [StoredObject] {
        precondition(inputPaths[name] != nil, "\(instance): undeclared input \(name)")
        return inputRecords[name] ?? []
    }

    /// Where the body must write output `name`.
    public func output(_ name: String) -> URL {
        guard let format = outputFormats[name] else { preconditionFailure("\(instance): undeclared output \(name)") }
        return Self.outputURL(in: scratch, name: name, format: format)
    }

    static func outputURL(in scratch: URL, name: String, format: OutputFormat) -> URL {
        scratch.appendingPathComponent("out").appendingPathComponent("\(name).\(format.fileExtension)")
    }

    // MARK: - Reporting

    /// Free-form progress for the live display, e.g. "epoch 12/60 loss 0.41".
    public func progress(_ message: String) { onProgress(message) }

    /// A line worth keeping in the run's output (not overwritten like progress), e.g. "resumed from epoch 4".
    public func note(_ message: String) { onNote(message) }

    /// A named scalar result (goes to the run index and `diff`; not part of the outputs).
    public func metric(_ name: String, _ value: Double) { lock.withLock { _metrics[name] = value } }

    /// A measurement of how the run went (wall time, throughput): index only, never hashed.
    public func measure(_ name: String, _ value: Double) { lock.withLock { _measurements[name] = value } }

    public var metrics: [String: Double] { lock.withLock { _metrics } }
    public var measurements: [String: Double] { lock.withLock { _measurements } }
}
