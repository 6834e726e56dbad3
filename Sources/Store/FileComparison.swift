// Comparison of two stored files of any kind: identical bytes, HDF5 numerically, anything else by hash.
import Foundation

public struct FileComparison: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// Same bytes (same hash): nothing to look at.
        case identical
        /// Both HDF5: compared dataset by dataset (see `hdf5`).
        case hdf5
        /// Different bytes, not both HDF5: compared by hash only.
        case bytes
    }

    public var kind: Kind
    public var hashA: ObjectHash
    public var hashB: ObjectHash
    public var hdf5: HDF5Comparison?
    public var isSame: Bool

    /// Compares two files. Hashes the index recorded are checked against the bytes before HDF5 parses
    /// them (`StoreError.corruptedObject` on a mismatch): libhdf5 1.10 is not safe on damaged files
    /// (the store fuzz target crashed it within seconds), so a damaged object is reported, never read.
    public static func compare(_ a: URL, _ b: URL, hashA: ObjectHash? = nil, hashB: ObjectHash? = nil,
                               atol: Double = 0, rtol: Double = 0) throws -> FileComparison {
        if let hashA, hashA == hashB { return FileComparison(kind: .identical, hashA: hashA, hashB: hashA, hdf5: nil, isSame: true) }
        let ha = try verifiedHash(a, recorded: hashA), hb = try verifiedHash(b, recorded: hashB)
        if ha == hb { return FileComparison(kind: .identical, hashA: ha, hashB: hb, hdf5: nil, isSame: true) }
        if HDF5File.isHDF5(a.path), HDF5File.isHDF5(b.path) {
            let report = try HDF5Compare.compare(a.path, b.path, atol: atol, rtol: rtol)
            return FileComparison(kind: .hdf5, hashA: ha, hashB: hb, hdf5: report, isSame: report.isSame)
        }
        return FileComparison(kind: .bytes, hashA: ha, hashB: hb, hdf5: nil, isSame: false)
    }

    /// The file's hash, which must be `recorded` when one is given.
    static func verifiedHash(_ url: URL, recorded: ObjectHash?) throws -> ObjectHash {
        let actual = try ObjectHash.ofFile(atPath: url.path).hash
        if let recorded, actual != recorded {
            throw StoreError.corruptedObject(hash: recorded.hex, actualHash: actual.hex, path: url.path)
        }
        return actual
    }

    public var description: String {
        switch kind {
        case .identical: return "identical (\(hashA.short))"
        case .bytes: return "different bytes: \(hashA.short) vs \(hashB.short)"
        case .hdf5: return hdf5.map(\.description) ?? "hdf5"
        }
    }

    /// Pretty, key-sorted JSON (non-finite numbers as strings).
    public func jsonString() throws -> String {
        String(decoding: try StoreJSON.encoder().encode(self), as: UTF8.self)
    }
}
