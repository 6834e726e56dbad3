// SHA-256 of file contents and byte buffers, as lowercase hex (swift-crypto).
import Crypto

/// SHA-256 of `bytes` as 64 lowercase hex digits.
public func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
    SHA256.hash(data: bytes).map { byte in
        let digits: [Character] = ["0","1","2","3","4","5","6","7","8","9","a","b","c","d","e","f"]
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }.joined()
}

/// SHA-256 of an array's bytes as 64 lowercase hex digits.
public func sha256Hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { sha256Hex($0) } }
