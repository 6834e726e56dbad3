// What a body in its own process may read from the run index, taken by the controller before the
// launch: the producers of its input objects (nothing about the running run: see StageIndexReader).
// The process never opens SQLite: on a cluster the index lives on one machine, and WAL does not work
// over NFS.
import Foundation
import Store

public struct IndexSnapshot: Codable, Sendable, StageIndexReader {
    var producers: [String: ProducerExecution]  // object hash hex → producer

    /// Reads what `reader` says about `objects`.
    init(reader: StageIndexReader, objects: [StoredObject]) throws {
        var producers: [String: ProducerExecution] = [:]
        for object in objects where producers[object.hash.hex] == nil {
            if let producer = try reader.producer(of: object) { producers[object.hash.hex] = producer }
        }
        self.producers = producers
    }

    public func producer(of object: StoredObject) throws -> ProducerExecution? { producers[object.hash.hex] }
}
