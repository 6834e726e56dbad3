// Random directions for 2-D loss-landscape plots (spec S8; Li et al. 2018, `net_plotter.py`):
// seeded Gaussian vectors with θ's layout, normalised filter by filter through the layout table.
// Slices are found by their offset and shape in `ParameterLayout`, never by position in a list.
import NN
import Tensor

/// How a random direction is scaled against θ (a closed set: the stage's `normalisation` parameter).
public enum DirectionNormalisation: String, Sendable, CaseIterable {
    /// Li et al.'s "filter": every conv filter (output channel) and every dense neuron (row of the
    /// weight matrix) of the direction gets the norm of the same slice of θ.
    case filter
    /// Raw N(0, 1) weight entries: a baseline whose plot depends on the weights' scale (Li et al. §4).
    case unnormalised = "none"
}

public enum Directions {
    /// The ε of Li et al.'s d · ‖θ‖ / (‖d‖ + ε), so an all-zero direction slice stays zero.
    public static let epsilon = 1e-10

    /// The seeds of the x and y directions: the first two outputs of SplitMix64(directionSeed), so one
    /// parameter fixes both and they are two unrelated streams.
    public static func seeds(directionSeed: UInt64) -> (x: UInt64, y: UInt64) {
        var g = SeededGenerator(seed: directionSeed)
        let x = g.next()
        return (x, g.next())
    }

    /// `count` standard-normal entries, in order, from SplitMix64(seed) (Box–Muller in Double, rounded to Float).
    public static func gaussian(count: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(g.nextGaussian()) }
    }

    /// A random direction for θ: Gaussian entries, biases zeroed (Li's default `ignore='biasbn'`), and
    /// weight slices normalised as `normalisation` says.
    public static func random(layout: ParameterLayout, theta: [Float], seed: UInt64,
                              normalisation: DirectionNormalisation) -> [Float] {
        var d = gaussian(count: layout.count, seed: seed)
        normalise(&d, theta: theta, slices: layout.slices, normalisation: normalisation)
        return d
    }

    /// In place: zeroes every bias slice; with `.filter` scales each unit (conv filter: its (C, 3, 3)
    /// block; dense neuron: its row of `in` weights) to d_u · ‖θ_u‖ / (‖d_u‖ + ε). Norms and the scale in
    /// Double, the product rounded once to Float. `slices` must tile 0..<direction.count exactly (any
    /// order): a layout that leaves entries uncovered or overlaps is a programmer error.
    public static func normalise(_ direction: inout [Float], theta: [Float], slices: [ParameterSlice],
                                 normalisation: DirectionNormalisation) {
        precondition(direction.count == theta.count, "direction has \(direction.count) entries, θ \(theta.count)")
        checkTiling(slices, count: theta.count)
        direction.withUnsafeMutableBufferPointer { d in
            theta.withUnsafeBufferPointer { t in
                for slice in slices {
                    switch slice.kind {
                    case .bias:
                        for k in slice.range { d[k] = 0 }
                    case .convWeight, .denseWeight:
                        guard normalisation == .filter else { continue }
                        for unit in 0..<slice.units {
                            let start = slice.offset + unit * slice.unitSize
                            scaleUnit(d, t, start..<(start + slice.unitSize))
                        }
                    }
                }
            }
        }
    }

    /// ‖v‖₂ of a range, summed in Double in index order.
    public static func norm(_ v: UnsafeBufferPointer<Float>, _ range: Range<Int>) -> Double {
        var s = 0.0
        for k in range { s += Double(v[k]) * Double(v[k]) }
        return s.squareRoot()
    }

    private static func scaleUnit(_ d: UnsafeMutableBufferPointer<Float>, _ t: UnsafeBufferPointer<Float>, _ r: Range<Int>) {
        let scale = norm(t, r) / (norm(UnsafeBufferPointer(d), r) + epsilon)
        for k in r { d[k] = Float(Double(d[k]) * scale) }
    }

    private static func checkTiling(_ slices: [ParameterSlice], count: Int) {
        var next = 0
        for s in slices.sorted(by: { $0.offset < $1.offset }) {
            precondition(s.offset == next && s.count > 0 && s.count % s.units == 0,
                         "layout slice \(s.name) at \(s.offset) does not tile the parameter vector (expected offset \(next))")
            next = s.offset + s.count
        }
        precondition(next == count, "layout covers \(next) entries, the vector has \(count)")
    }
}
