// What a stage body may read from the run index (read-only): the execution that produced each of its
// input objects (its wall-time measurements, parameters, run). Used by the report, whose timing figures
// show measurements, which are never content.
import Foundation
import Store

/// The newest execution whose body wrote an object, with what the index holds about it.
public struct ProducerExecution: Sendable, Codable {
    public let execution: ExecutionRecord
    /// Parameter name → canonical JSON text.
    public let parameters: [String: String]
    public let metrics: [String: Double]
    public let measurements: [String: Double]

    public init(execution: ExecutionRecord, parameters: [String: String], metrics: [String: Double],
                measurements: [String: Double]) {
        self.execution = execution
        self.parameters = parameters
        self.metrics = metrics
        self.measurements = measurements
    }
}

/// The index as a stage body sees it.
public protocol StageIndexReader: Sendable {
    /// Nil when no recorded execution wrote the object (e.g. it came from an older index).
    func producer(of object: StoredObject) throws -> ProducerExecution?
    // Deliberately nothing about the running run (id, date, machine, its other stages): that would put
    // non-content into an object whose key cannot see it. Provenance belongs to a publish hook.
}

extension StoreBackend: StageIndexReader {
    public func producer(of object: StoredObject) throws -> ProducerExecution? {
        let index = artifacts.index
        guard let execution = try index.producers(of: object.hash).first, let id = execution.id else { return nil }
        var metrics: [String: Double] = [:]
        for m in try index.metrics(ofExecution: id) where m.step == nil { metrics[m.name] = m.value }
        var measurements: [String: Double] = [:]
        for m in try index.measurements(ofExecution: id) { if let v = m.value { measurements[m.name] = v } }
        return ProducerExecution(execution: execution, parameters: try index.parameters(ofExecution: id),
                                 metrics: metrics, measurements: measurements)
    }

}
