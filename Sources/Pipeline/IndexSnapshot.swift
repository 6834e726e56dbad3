// What a body in its own process may read from the run index, taken by the controller before the
// launch (the producers of its input objects, its run, the run's executions so far). The process
// never opens SQLite: on a cluster the index lives on one machine, and WAL does not work over NFS.
import Foundation
import Store

public struct IndexSnapshot: Codable, Sendable, StageIndexReader {
    var producers: [String: ProducerExecution]  // object hash hex → producer
    var run: RunRecord?
    var runExecutions: [ExecutionRecord]

    /// Reads what `reader` says about `objects` and run `runID`.
    init(reader: StageIndexReader, objects: [StoredObject], runID: Int64?) throws {
        var producers: [String: ProducerExecution] = [:]
        for object in objects where producers[object.hash.hex] == nil {
            if let producer = try reader.producer(of: object) { producers[object.hash.hex] = producer }
        }
        self.producers = producers
        run = try runID.flatMap { try reader.run(id: $0) }
        runExecutions = try runID.map { try reader.executions(ofRun: $0) } ?? []
    }

    public func producer(of object: StoredObject) throws -> ProducerExecution? { producers[object.hash.hex] }

    public func run(id: Int64) throws -> RunRecord? { run?.id == id ? run : nil }

    public func executions(ofRun id: Int64) throws -> [ExecutionRecord] { run?.id == id ? runExecutions : [] }
}
