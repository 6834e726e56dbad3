// One artifacts/ folder as a whole: the object store, the run index, and operations that need both
// (cache lookup that trusts recorded hashes, verify, gc). The lock is taken separately (ArtifactsLock).
import Foundation

/// `root/objects` (ObjectStore), `root/index.sqlite` (RunIndex), `root/tmp` (scratch), `root/lock`.
public final class Artifacts: Sendable {
    public let root: URL
    public let objects: ObjectStore
    public let index: RunIndex

    /// Opens (creating if needed) the artifacts folder at `root`.
    public init(root: URL) throws {
        self.root = root
        try FileIO.makeDirectory(root.path)
        objects = ObjectStore(root: root)
        index = try RunIndex(root: root)
    }

    /// A reusable execution for `key` whose outputs are all present. Trusts the hashes recorded at write
    /// time (one stat per output, no rehash). An output found absent is marked missing, and nil is returned
    /// so the stage runs again.
    public func cacheLookup(key: String) throws -> CacheEntry? {
        try cacheLookup(keys: [key])[key]
    }

    /// `cacheLookup(key:)` for many keys: one read transaction, one stat per output.
    public func cacheLookup(keys: [String]) throws -> [String: CacheEntry] {
        var entries = try index.cacheEntries(forKeys: keys)
        var absent: [ObjectHash] = []
        for (key, entry) in entries {
            let gone = entry.outputs.values.map(\.objectHash).filter { !objects.contains($0) }
            if !gone.isEmpty {
                absent += gone
                entries[key] = nil
            }
        }
        try index.mark(absent, .missing)
        return entries
    }
}
