// The identity of a stored object: the SHA-256 of its bytes, as 64 lowercase hex digits.
import Crypto
import Foundation
import Primitives

public struct ObjectHash: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// 64 lowercase hex digits.
    public let hex: String

    /// Validates `hex` (64 hex digits; upper case is folded); nil for anything else.
    public init?(hex: String) {
        let lower = hex.lowercased()
        guard lower.utf8.count == 64, lower.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        self.hex = lower
    }

    init(digest: SHA256.Digest) {
        hex = lowercaseHex(digest)
    }

    /// The SHA-256 of `bytes`.
    public static func of<D: DataProtocol>(_ bytes: D) -> ObjectHash {
        ObjectHash(digest: SHA256.hash(data: bytes))
    }

    /// Streams a file through SHA-256 in 1 MiB reads; returns its hash and size.
    public static func ofFile(atPath path: String) throws -> (hash: ObjectHash, size: Int64) {
        let fd = try posixCheck(open(path, O_RDONLY | O_CLOEXEC), "open", path)
        defer { close(fd) }
        return try ofOpenFile(fd, path: path)
    }

    static func ofOpenFile(_ fd: Int32, path: String) throws -> (hash: ObjectHash, size: Int64) {
        var hasher = SHA256()
        var size: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try FileIO.readSome(fd, buffer, path: path)
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            size += Int64(n)
        }
        return (ObjectHash(digest: hasher.finalize()), size)
    }

    /// The first 12 hex digits, for tables and messages.
    public var short: String { String(hex.prefix(12)) }

    public var description: String { hex }

    public static func < (a: ObjectHash, b: ObjectHash) -> Bool { a.hex < b.hex }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let hash = ObjectHash(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a SHA-256 hex digest: \(text)"))
        }
        self = hash
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
