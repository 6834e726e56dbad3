// A seeded random number generator whose streams are fixed by this file alone (not by the
// standard library's `random(in:)`, whose algorithm may change between Swift versions).

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for initialisation and
/// random directions. Same seed → same stream, on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 random bits (every value exactly representable as Float).
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal (Box–Muller in Double, one value per call; the pair's twin is discarded so
    /// the stream position depends only on the number of calls).
    public mutating func nextGaussian() -> Double {
        let u1 = 1.0 - nextUnitDouble()  // (0, 1]: log is finite
        let u2 = nextUnitDouble()
        return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
