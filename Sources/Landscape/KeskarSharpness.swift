// Keskar et al.'s sharpness (spec S7, F10, F15), independent of stages and files:
//   φ(x, f, ε) = (max_{y ∈ C_ε} f(x + y) − f(x)) / (1 + f(x)) × 100,  C_ε = { y : |y_i| ≤ ε(|x_i| + 1) },
// f the mean training BCE loss, the inner maximisation done by L-BFGS-B on −f from a seeded random
// start inside the box (a zero start sits on a stationary point and may stop at once).
import NN
import Optim
import Tensor

/// Mean loss and its gradient over a fixed data set, in a fixed batch order: f(θ) and ∇f(θ) in Double
/// from the network's Float sums (each batch's sum gradient is added in Double, then divided by N).
public final class DatasetLoss {
    public let network: Network
    public let data: TrainingData
    private var theta: [Float]
    private var batchGradient: [Float]

    public init(network: Network, data: TrainingData) {
        self.network = network
        self.data = data
        theta = [Float](repeating: 0, count: network.model.layout.count)
        batchGradient = theta
    }

    /// f(x + y) and ∇f(x + y) (written to `gradient`); x: θ_min (P), y: (P).
    public func evaluate(x: [Float], y: UnsafeBufferPointer<Double>, gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        for i in theta.indices { theta[i] = Float(Double(x[i]) + y[i]) }
        for i in 0..<gradient.count { gradient[i] = 0 }
        var total = BatchStats()
        let size = network.model.spec.inputSize, batch = network.maxBatch
        theta.withUnsafeBufferPointer { parameters in
            data.withBuffers { images, labels in
                batchGradient.withUnsafeMutableBufferPointer { g in
                    var start = 0
                    while start < data.count {
                        let end = min(data.count, start + batch)
                        total = total + network.gradient(parameters: parameters,
                                                         images: UnsafeBufferPointer(rebasing: images[(start * size)..<(end * size)]),
                                                         labels: UnsafeBufferPointer(rebasing: labels[start..<end]), gradient: g)
                        for i in 0..<g.count { gradient[i] += Double(g[i]) }
                        start = end
                    }
                }
            }
        }
        let scale = 1 / Double(total.count)
        for i in 0..<gradient.count { gradient[i] *= scale }
        return total.meanLoss
    }

    /// f(θ) with the forward-only path.
    public func loss(at parameters: [Float]) throws -> Double {
        try parameters.withUnsafeBufferPointer { p in
            try data.withBuffers { try network.evaluateDataset(parameters: p, images: $0, labels: $1) }
        }.meanLoss
    }
}

/// The sharpness at one ε.
public struct SharpnessMeasurement: Sendable {
    public var epsilon: Double
    /// f(x), the loss at the minimizer.
    public var fX: Double
    /// max(f(x), the largest f(x + y) the optimiser reached): y = 0 is in the box, so φ ≥ 0.
    public var fMax: Double
    public var phi: Double { (fMax - fX) / (1 + fX) * 100 }
    /// The maximising perturbation y (P), inside C_ε.
    public var y: [Double]
    /// The optimiser's trace with f as the LOSS (sign restored), row 0 at the random start.
    public var trace: [LBFGSBIterate]
    public var iterations: Int
    public var evaluations: Int
    public var stopReason: LBFGSBStopReason
}

public enum KeskarSharpness {
    /// How the start point is drawn (recorded in the artifact).
    public static let startRule = "y0_i = eps*(|x_i|+1)*(2u_i-1), u_i uniform [0,1) (53 bits) from SplitMix64 seeded with "
        + "start_seed + eps index, drawn in parameter order"

    /// The box half-widths ε(|x_i| + 1).
    public static func radius(x: [Float], epsilon: Double) -> [Double] {
        x.map { epsilon * (abs(Double($0)) + 1) }
    }

    /// The seeded start inside the box for ε index `index`.
    public static func start(radius: [Double], seed: UInt64, index: Int) -> [Double] {
        var generator = SeededGenerator(seed: seed &+ UInt64(index))
        return radius.map { $0 * (2 * generator.nextUnitDouble() - 1) }
    }

    /// φ at every ε by maximising f(x + y) over C_ε with L-BFGS-B (`iterations` iterations, `memory`
    /// pairs). `progress` gets (ε index, evaluation count, loss) after every evaluation.
    public static func measure(x: [Float], loss: DatasetLoss, epsilons: [Double], iterations: Int, memory: Int, startSeed: UInt64,
                        progress: (Int, Int, Double) -> Void = { _, _, _ in }) throws -> [SharpnessMeasurement] {
        let fX = try loss.loss(at: x)
        return epsilons.enumerated().map { index, epsilon in
            let radius = radius(x: x, epsilon: epsilon)
            var calls = 0
            let result = LBFGSB.minimize(x0: start(radius: radius, seed: startSeed, index: index), lower: radius.map { -$0 },
                                         upper: radius, memory: memory, maxIterations: iterations,
                                         tolerances: LBFGSBTolerances(projectedGradient: 1e-12)) { y, gradient in
                let f = loss.evaluate(x: x, y: y, gradient: gradient)
                for i in 0..<gradient.count { gradient[i] = -gradient[i] }   // maximise f ⇔ minimise −f
                calls += 1
                progress(index, calls, f)
                return -f
            }
            let trace = result.trace.map { row -> LBFGSBIterate in var r = row; r.f = -r.f; return r }
            return SharpnessMeasurement(epsilon: epsilon, fX: fX, fMax: max(fX, -result.f), y: result.x, trace: trace,
                                        iterations: result.iterations, evaluations: result.evaluations, stopReason: result.stopReason)
        }
    }
}
