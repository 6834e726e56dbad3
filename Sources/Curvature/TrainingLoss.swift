// The mean training loss f(θ) = (1/N) Σ ℓ(θ; x_n, y_n) over a fixed image set and its gradient, in
// Double from the network's Float batch sums, in a fixed batch order (deterministic for a given
// set, network chunking and BLAS kernel). What every curvature measure here differentiates.
import NN

public final class TrainingLoss {
    public let network: Network
    public let data: TrainingData
    private var batchGradient: [Float]
    /// Gradient evaluations so far (each one forward + backward pass over the whole set).
    public private(set) var gradientCount = 0

    public init(network: Network, data: TrainingData) {
        precondition(data.count > 0 && data.images.count == data.count * network.model.spec.inputSize,
                     "TrainingLoss: \(data.images.count) image values for \(data.count) labels")
        self.network = network
        self.data = data
        batchGradient = [Float](repeating: 0, count: network.model.layout.count)
    }

    public var count: Int { data.count }
    public var parameterCount: Int { network.model.layout.count }

    /// f(θ), written ∇f(θ) to `gradient` (P, overwritten): each batch's Float sum gradient is added in
    /// Double, then divided by N.
    @discardableResult
    public func evaluate(at theta: [Float], gradient: inout [Double]) -> Double {
        precondition(theta.count == parameterCount && gradient.count == parameterCount, "TrainingLoss: parameter count")
        for i in gradient.indices { gradient[i] = 0 }
        var total = BatchStats()
        let size = network.model.spec.inputSize
        theta.withUnsafeBufferPointer { parameters in
            data.images.withUnsafeBufferPointer { x in
                data.labels.withUnsafeBufferPointer { y in
                    batchGradient.withUnsafeMutableBufferPointer { g in
                        var start = 0
                        while start < count {
                            let end = min(count, start + network.maxBatch)
                            total = total + network.gradient(parameters: parameters,
                                                             images: UnsafeBufferPointer(rebasing: x[(start * size)..<(end * size)]),
                                                             labels: UnsafeBufferPointer(rebasing: y[start..<end]), gradient: g)
                            for i in 0..<g.count { gradient[i] += Double(g[i]) }
                            start = end
                        }
                    }
                }
            }
        }
        gradientCount += 1
        let scale = 1 / Double(total.count)
        for i in gradient.indices { gradient[i] *= scale }
        return total.meanLoss
    }

    /// f(θ) by the forward-only path.
    public func loss(at theta: [Float]) -> Double {
        theta.withUnsafeBufferPointer { p in
            data.images.withUnsafeBufferPointer { x in
                data.labels.withUnsafeBufferPointer { y in
                    // Shapes are checked in init, so evaluateDataset cannot throw here.
                    try! network.evaluateDataset(parameters: p, images: x, labels: y)
                }
            }
        }.meanLoss
    }

    /// θ + δ rounded to Float: the point the network actually evaluates.
    public static func shifted(_ theta: [Float], by delta: [Double], scale: Double = 1) -> [Float] {
        var out = theta
        for i in out.indices { out[i] = Float(Double(theta[i]) + scale * delta[i]) }
        return out
    }
}
