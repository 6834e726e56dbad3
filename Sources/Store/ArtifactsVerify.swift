// `verify`: rehash every object, find recorded objects that are gone, and mark both in the index
// so cache lookups skip them and the next reproduce rebuilds them.
import Foundation

public struct VerifyReport: Sendable, Equatable, Codable {
    /// Objects rehashed.
    public var checked: Int
    /// Bytes rehashed.
    public var bytes: Int64
    public var corrupted: [ObjectHash]
    /// Recorded by some execution but not in the store (and not deleted by `gc`).
    public var missing: [ObjectHash]

    public var isClean: Bool { corrupted.isEmpty && missing.isEmpty }
}

extension Artifacts {
    /// Rehashes every object in the store (streaming), marks corrupted and missing ones in the index.
    /// `progress` is told each object as it is checked (index, total).
    public func verify(progress: (Int, Int) -> Void = { _, _ in }) throws -> VerifyReport {
        let stored = try objects.allObjects()
        var report = VerifyReport(checked: 0, bytes: 0, corrupted: [], missing: [])
        for (i, hash) in stored.enumerated() {
            progress(i + 1, stored.count)
            switch objects.check(hash) {
            case .ok:
                report.bytes += FileIO.size(objects.url(of: hash).path) ?? 0
            case .corrupted:
                report.corrupted.append(hash)
                try index.mark(hash, .corrupted)
            case .missing:
                report.missing.append(hash)
                try index.mark(hash, .missing)
            }
            report.checked += 1
        }
        let present = Set(stored)
        let collected = Set(try index.marks().filter { $0.state == .collected }.map(\.objectHash))
        for hash in try index.allRecordedObjects().sorted() where !present.contains(hash) && !collected.contains(hash) {
            report.missing.append(hash)
            try index.mark(hash, .missing)
        }
        return report
    }
}
