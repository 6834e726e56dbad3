// The project's one seeded random number generator: SplitMix64 (Steele, Lea, Flood 2014), whose
// streams are fixed by this file alone (not by the standard library's `random(in:)`, whose algorithm
// may change between Swift versions). Same seed → same stream, on every platform. Tensor knows it
// as `SeededGenerator` (weights, directions), Datasets as `SeededRandom` (generated images, splits).
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for item `index` of stream `stream` under `seed`: independent, order-free draws.
    public init(seed: UInt64, stream: UInt64, index: UInt64) {
        var mix = SplitMix64(seed: seed ^ 0x5851_F42D_4C95_7F2D)
        let a = mix.next() ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        var mix2 = SplitMix64(seed: a)
        state = mix2.next() ^ (index &* 0xBF58_476D_1CE4_E5B9)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // MARK: - Uniform

    /// Uniform in [0, 1) with 24 random bits (every value exactly representable as Float).
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [0, 1) with 53 random bits (the same draw as `nextUnitDouble`).
    public mutating func unit() -> Double { nextUnitDouble() }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// Uniform integer in 0..<n (Lemire's multiply-shift with rejection: unbiased).
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0, "SplitMix64.below: n = \(n)")
        let bound = UInt64(n)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    /// Fisher–Yates shuffle in place.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, below(i + 1))
        }
    }

    // MARK: - Normal (two variants: each pins the bits of what it generates)

    /// Standard normal for weights and directions (Box–Muller, u1 = 1 − u so log is finite; one
    /// value per call, the pair's twin discarded so the stream position depends only on the calls).
    public mutating func nextGaussian() -> Double {
        let u1 = 1.0 - nextUnitDouble()
        let u2 = nextUnitDouble()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }

    /// Standard normal for generated images (Box–Muller, u1 clamped to 2⁻⁵³; one value per call).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 0x1.0p-53), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
