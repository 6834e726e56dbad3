// A small seeded random number generator whose output is fixed by this file alone (not by the Swift
// standard library's sampling algorithms, which may change between releases).
import Foundation

/// SplitMix64 (Steele, Lea, Flood 2014): 64-bit state, passes BigCrush, trivially seedable per item.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for item `index` of stream `stream` under `seed`: independent, order-free draws.
    public init(seed: UInt64, stream: UInt64, index: UInt64) {
        var mix = SeededRandom(seed: seed ^ 0x5851_F42D_4C95_7F2D)
        let a = mix.next() ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        var mix2 = SeededRandom(seed: a)
        state = mix2.next() ^ (index &* 0xBF58_476D_1CE4_E5B9)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// Uniform integer in 0..<n (Lemire's multiply-shift with rejection: unbiased).
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0, "SeededRandom.below: n = \(n)")
        let bound = UInt64(n)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    /// Standard normal draw (Box–Muller, one value per call; deterministic, not the fastest).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 0x1.0p-53), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle in place.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, below(i + 1))
        }
    }
}
