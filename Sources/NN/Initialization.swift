// Glorot-uniform weights and zero biases from a seed (the Keras defaults the original study used).
import Tensor

public enum Initialization {
    /// Fan-in and fan-out as Keras computes them: conv (K, C, 3, 3) → (C·9, K·9); dense (out, in) → (in, out).
    public static func fans(of slice: ParameterSlice) -> (fanIn: Int, fanOut: Int) {
        let receptive = slice.shape.dropFirst(2).reduce(1, *)
        return (slice.shape[1] * receptive, slice.shape[0] * receptive)
    }

    /// Glorot-uniform limit √(6 / (fan_in + fan_out)).
    public static func glorotLimit(of slice: ParameterSlice) -> Float {
        let f = fans(of: slice)
        return Float((6.0 / Double(f.fanIn + f.fanOut)).squareRoot())
    }

    /// θ₀: every weight slice U(−limit, limit) drawn in layout order from one SplitMix64 stream,
    /// biases zero. Same seed and layout → same bits.
    public static func glorotUniform(layout: ParameterLayout, seed: UInt64) -> [Float] {
        var theta = [Float](repeating: 0, count: layout.count)
        var rng = SeededGenerator(seed: seed)
        for slice in layout.slices where slice.kind != .bias {
            let limit = glorotLimit(of: slice)
            for i in slice.range {
                theta[i] = (2 * rng.nextUnitFloat() - 1) * limit
            }
        }
        return theta
    }
}
