// The project's one SHA-256-as-hex helper: object names, cache keys, file hashes and the hashes of
// decoded photos are all 64 lowercase hex digits of a SHA-256 (swift-crypto).
import Crypto
import Foundation

/// SHA-256 of `bytes` (Data, [UInt8], a raw buffer) as 64 lowercase hex digits.
public func sha256Hex<D: DataProtocol>(_ bytes: D) -> String { lowercaseHex(SHA256.hash(data: bytes)) }

/// Bytes (a digest) as lowercase hex, two digits a byte.
public func lowercaseHex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}
