// A naive Double-precision reference of the network, written loop by loop from the definitions,
// for finite-difference gradient checks (never used by the library).
import Foundation
@testable import NN

enum Reference {
    /// y(K, H, W) = Σ_c,ky,kx w[k, c, ky, kx] · x[c, y+ky−1, x+kx−1] + b[k] (zero padding).
    static func conv(_ x: [Double], _ w: [Double], _ b: [Double]?, c: Int, h: Int, wd: Int, k: Int) -> [Double] {
        var y = [Double](repeating: 0, count: k * h * wd)
        for o in 0..<k {
            for yy in 0..<h {
                for xx in 0..<wd {
                    var s = b?[o] ?? 0
                    for ci in 0..<c {
                        for ky in 0..<3 {
                            for kx in 0..<3 {
                                let sy = yy + ky - 1, sx = xx + kx - 1
                                if sy < 0 || sy >= h || sx < 0 || sx >= wd { continue }
                                s += w[((o * c + ci) * 3 + ky) * 3 + kx] * x[(ci * h + sy) * wd + sx]
                            }
                        }
                    }
                    y[(o * h + yy) * wd + xx] = s
                }
            }
        }
        return y
    }

    static func relu(_ x: [Double]) -> [Double] { x.map { max($0, 0) } }

    /// 2×2 max-pool, stride 2: (K, H, W) → (K, H/2, W/2).
    static func pool(_ x: [Double], k: Int, h: Int, wd: Int) -> [Double] {
        var y = [Double](repeating: 0, count: k * (h / 2) * (wd / 2))
        for o in 0..<k {
            for py in 0..<(h / 2) {
                for px in 0..<(wd / 2) {
                    var m = -Double.infinity
                    for dy in 0..<2 { for dx in 0..<2 { m = max(m, x[(o * h + 2 * py + dy) * wd + 2 * px + dx]) } }
                    y[(o * (h / 2) + py) * (wd / 2) + px] = m
                }
            }
        }
        return y
    }

    /// y(N, out) = x(N, in) · wᵀ + b.
    static func dense(_ x: [Double], _ w: [Double], _ b: [Double], n: Int, inputs: Int, outputs: Int) -> [Double] {
        var y = [Double](repeating: 0, count: n * outputs)
        for i in 0..<n {
            for o in 0..<outputs {
                var s = b[o]
                for j in 0..<inputs { s += x[i * inputs + j] * w[o * inputs + j] }
                y[i * outputs + o] = s
            }
        }
        return y
    }

    static func bce(_ z: Double, _ y: Double) -> Double { max(z, 0) - z * y + log1p(exp(-abs(z))) }

    /// Logits (N) of the whole network at θ (Double, in the model's layout).
    static func logits(spec: ModelSpec, theta: [Double], images: [Double], n: Int) -> [Double] {
        let layout = ParameterLayout(spec: spec)
        func slice(_ i: Int) -> [Double] { Array(theta[layout.slices[i].range]) }
        var features: [Double] = []
        for img in 0..<n {
            var x = Array(images[(img * spec.inputSize)..<((img + 1) * spec.inputSize)])
            for (b, s) in spec.convBlocks.enumerated() {
                let y = conv(x, slice(2 * b), slice(2 * b + 1), c: s.inChannels, h: s.height, wd: s.width, k: s.outChannels)
                x = pool(relu(y), k: s.outChannels, h: s.height, wd: s.width)
            }
            features += x
        }
        var x = features
        let base = 2 * spec.convBlocks.count
        for (j, d) in spec.denseShapes.enumerated() {
            x = dense(x, slice(base + 2 * j), slice(base + 2 * j + 1), n: n, inputs: d.inputs, outputs: d.outputs)
            if j < spec.denseShapes.count - 1 { x = relu(x) }
        }
        return x
    }

    /// Σᵢ ℓ(zᵢ, yᵢ) over the batch.
    static func lossSum(spec: ModelSpec, theta: [Double], images: [Double], labels: [Double]) -> Double {
        let z = logits(spec: spec, theta: theta, images: images, n: labels.count)
        return zip(z, labels).reduce(0) { $0 + bce($1.0, $1.1) }
    }

    /// Central finite differences of a scalar function of a Double vector.
    static func finiteDifference(_ v: [Double], step: Double = 1e-4, _ f: ([Double]) -> Double) -> [Double] {
        var v = v
        var g = [Double](repeating: 0, count: v.count)
        for i in 0..<v.count {
            let keep = v[i]
            v[i] = keep + step; let plus = f(v)
            v[i] = keep - step; let minus = f(v)
            v[i] = keep
            g[i] = (plus - minus) / (2 * step)
        }
        return g
    }
}

/// Deterministic test data.
enum TestData {
    static func uniform(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var rng = SeededGeneratorForTests(seed: seed)
        return (0..<count).map { _ in (2 * rng.unit() - 1) * scale }
    }

    static func labels(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGeneratorForTests(seed: seed)
        return (0..<count).map { _ in rng.unit() < 0.5 ? 0 : 1 }
    }
}

/// A separate tiny generator so test data does not depend on the library's RNG under test.
struct SeededGeneratorForTests {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }
    mutating func unit() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / 16_777_216
    }
}
