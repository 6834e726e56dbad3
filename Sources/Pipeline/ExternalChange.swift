// What changed in an external input (a photo folder) between two fingerprints: files added, removed
// and changed, from the listings ExternalFingerprint keeps per fingerprint. What `status` prints.
import Foundation

public struct ExternalChange: Sendable, Equatable, CustomStringConvertible {
    /// Relative paths, sorted.
    public let added: [String]
    public let removed: [String]
    /// Same path, other bytes.
    public let changed: [String]

    /// The difference between two listings (relative path → "size\tsha256").
    public init(old: [String: String], new: [String: String]) {
        added = new.keys.filter { old[$0] == nil }.sorted()
        removed = old.keys.filter { new[$0] == nil }.sorted()
        changed = new.keys.filter { old[$0] != nil && old[$0] != new[$0] }.sorted()
    }

    /// How many names of each kind are printed before "…".
    static let shown = 3

    /// e.g. "2 files added (Cat/1.jpg, Cat/2.jpg), 1 changed (Dog/7.jpg)".
    public var description: String {
        func part(_ names: [String], _ verb: String) -> String? {
            guard !names.isEmpty else { return nil }
            let list = names.prefix(Self.shown).joined(separator: ", ") + (names.count > Self.shown ? ", …" : "")
            return "\(names.count) \(verb) (\(list))"
        }
        let parts = [part(added, "added"), part(removed, "removed"), part(changed, "changed")].compactMap { $0 }
        guard !parts.isEmpty else { return "same files" }
        let total = added.count + removed.count + changed.count
        return "\(total) file\(total == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }
}
