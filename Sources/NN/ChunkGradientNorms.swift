// The small batches of the gradient noise scale (McCandlish et al. 2018, appendix A.1): the fixed
// chunks a Network already cuts every batch into. Sums, not means, so that MPI ranks combine theirs
// with one all-reduce; the Training module turns them into |G|² and tr(Σ) estimates.
import Tensor

/// Over a batch's fixed chunks c (`Network.chunkSize` images each, the last maybe fewer):
/// Σ_c |g_c / b_c|², the squared norms of the chunks' MEAN gradients; Σ_c 1/b_c; and the count.
/// E[|g_c/b_c|²] = |G|² + tr(Σ)/b_c for a chunk of b_c examples, so their mean has expectation
/// |G|² + tr(Σ)/b_eff with b_eff = chunks / Σ 1/b_c (the harmonic mean of the chunk sizes).
public struct ChunkGradientNorms: Sendable, Equatable {
    public var chunks = 0
    public var meanSquaredNormSum = 0.0
    public var inverseSizeSum = 0.0

    public init(chunks: Int = 0, meanSquaredNormSum: Double = 0, inverseSizeSum: Double = 0) {
        self.chunks = chunks
        self.meanSquaredNormSum = meanSquaredNormSum
        self.inverseSizeSum = inverseSizeSum
    }

    /// Adds one chunk of `size` examples whose SUM gradient has squared norm `sumSquaredNorm`.
    public mutating func add(sumSquaredNorm: Double, size: Int) {
        precondition(size >= 1, "a chunk holds at least one example")
        let b = Double(size)
        chunks += 1
        meanSquaredNormSum += sumSquaredNorm / (b * b)
        inverseSizeSum += 1 / b
    }

    public static func + (a: Self, b: Self) -> Self {
        Self(chunks: a.chunks + b.chunks, meanSquaredNormSum: a.meanSquaredNormSum + b.meanSquaredNormSum,
             inverseSizeSum: a.inverseSizeSum + b.inverseSizeSum)
    }

    /// The mean over chunks of |g_c/b_c|² (nil without chunks).
    public var meanSquaredNorm: Double? { chunks > 0 ? meanSquaredNormSum / Double(chunks) : nil }
    /// The harmonic mean of the chunk sizes (nil without chunks).
    public var effectiveSize: Double? { chunks > 0 ? Double(chunks) / inverseSizeSum : nil }
}

// MARK: - Per-chunk squared norms inside the Network's backward pass

enum ChunkNorms {
    /// Adds to norms[c] the squared Frobenius norm of chunk c's share of a dense layer's SUM gradient:
    /// |Σ_i dy_i x_iᵀ|² + |Σ_i dy_i|² = Σ_{i,j∈c} (dy_i·dy_j)(x_i·x_j + 1), a Gram product of the
    /// chunk's rows (8×8 dots) rather than a GEMM per chunk. x: (N, in) · dY: (N, out) post-ReLU.
    static func addDense(x: UnsafePointer<Float>, dY: UnsafePointer<Float>, inputs: Int, outputs: Int,
                         partition: ChunkPartition, into norms: UnsafeMutablePointer<Double>) {
        for c in 0..<partition.chunkCount {
            let rows = partition.range(ofChunk: c)
            var total = 0.0
            for i in rows {
                for j in i..<rows.upperBound {
                    let yy = dot(dY + i * outputs, dY + j * outputs, outputs)
                    let xx = dot(x + i * inputs, x + j * inputs, inputs)
                    total += (i == j ? 1 : 2) * yy * (xx + 1)
                }
            }
            norms[c] += total
        }
    }

    /// Σ_j slot[j]² in order, in Double: a chunk's conv partial sums (Network adds it to the chunk's norm
    /// after every dense layer's share). slot: (count).
    static func squaredNorm(_ slot: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        for j in 0..<count { total += Double(slot[j]) * Double(slot[j]) }
        return total
    }

    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
        var s = 0.0
        for k in 0..<n { s += Double(a[k]) * Double(b[k]) }
        return s
    }
}
