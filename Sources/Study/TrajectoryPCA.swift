// Where training went (Li et al. 2018, section 7): the PCA of θ_e − θ_final over a run's snapshots,
// its top two directions and their explained variance, and the path projected onto them.
// As Li et al.'s code (scikit-learn's PCA): the differences are centred before the PCA, the path is
// projected uncentred, so θ_final sits at (0, 0).
import Curvature

public struct TrajectoryPCA: Sendable, Equatable {
    /// The top two principal directions, unit length, θ's layout. (2, P)
    public var directions: [[Float]]
    /// Fraction of the centred differences' variance along each direction.
    public var explained: [Double]
    /// The projected path: (θ_e − θ_final)·d₁ and ·d₂ for every point given.
    public var x: [Double], y: [Double]

    /// `points`: θ at successive epochs (θ_init first); `final`: θ_final. Points equal to θ_final
    /// (a last snapshot at the final epoch) are drawn at (0, 0) but add nothing to the PCA.
    public init(points: [[Float]], final: [Float]) throws {
        let rows = points.map { p in zip(p, final).map { Double($0) - Double($1) } }
        let fitted = rows.filter { $0.contains { $0 != 0 } }
        guard fitted.count >= 3 else {
            throw PCAError.tooFewPoints(fitted.count)
        }
        let n = fitted.count, p = final.count
        var mean = [Double](repeating: 0, count: p)
        for r in fitted { for k in 0..<p { mean[k] += r[k] } }
        for k in 0..<p { mean[k] /= Double(n) }
        let centred = fitted.map { r in (0..<p).map { r[$0] - mean[$0] } }
        var gram = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var s = 0.0
                for k in 0..<p { s += centred[i][k] * centred[j][k] }
                gram[i * n + j] = s
                gram[j * n + i] = s
            }
        }
        let eigen = SymmetricEigen(gram, n: n)
        let total = eigen.values.filter { $0 > 0 }.reduce(0, +)
        guard eigen.values[1] > 0, total > 0 else { throw PCAError.degenerate }
        var dirs: [[Double]] = []
        for c in 0..<2 {
            let scale = 1 / eigen.values[c].squareRoot()
            var d = [Double](repeating: 0, count: p)
            for i in 0..<n { let w = eigen.vectors[c][i] * scale; for k in 0..<p { d[k] += w * centred[i][k] } }
            // A fixed sign: the path starts (θ_init) on the positive side of each axis.
            let start = zip(rows[0], d).reduce(0) { $0 + $1.0 * $1.1 }
            if start < 0 { d = d.map { -$0 } }
            dirs.append(d)
        }
        directions = dirs.map { $0.map(Float.init) }
        explained = [eigen.values[0] / total, eigen.values[1] / total]
        x = rows.map { r in zip(r, dirs[0]).reduce(0) { $0 + $1.0 * $1.1 } }
        y = rows.map { r in zip(r, dirs[1]).reduce(0) { $0 + $1.0 * $1.1 } }
    }

    public enum PCAError: Error, CustomStringConvertible {
        case tooFewPoints(Int), degenerate
        public var description: String {
            switch self {
            case .tooFewPoints(let n): "the PCA of a trajectory needs at least 3 points other than θ_final (has \(n)); "
                + "give the train instance `snapshots: 2` or more and let it train a few epochs"
            case .degenerate: "the trajectory's differences span fewer than two directions"
            }
        }
    }
}
