// The Hessian of the mean training loss at θ as an operator: exact HVPs (ExactHVP) summed over the
// image set batch by batch in Double, divided by N.
import NN

public final class ExactHessian: HessianOperator {
    public let loss: TrainingLoss
    public let theta: [Float]
    public var dimension: Int { theta.count }
    /// HVPs so far (each one tangent forward + backward pass over the whole set).
    public private(set) var productCount = 0
    private let engine: ExactHVP
    private var direction: [Float], batchProduct: [Float]

    public init(loss: TrainingLoss, theta: [Float]) {
        precondition(theta.count == loss.parameterCount, "ExactHessian: θ has \(theta.count), the model \(loss.parameterCount)")
        self.loss = loss
        self.theta = theta
        let network = loss.network
        engine = ExactHVP(model: network.model, maxBatch: network.maxBatch, threads: network.threads, convEngine: network.convEngine)
        direction = [Float](repeating: 0, count: theta.count)
        batchProduct = direction
    }

    /// H·v. v is rounded to Float after scaling to unit length (so no element under- or overflows)
    /// and the product scaled back.
    public func apply(_ v: [Double]) -> [Double] {
        precondition(v.count == dimension, "ExactHessian: v has \(v.count), θ \(dimension)")
        let length = norm(v)
        var out = [Double](repeating: 0, count: dimension)
        guard length > 0 else { return out }
        for i in v.indices { direction[i] = Float(v[i] / length) }
        let size = loss.network.model.spec.inputSize, count = loss.count
        theta.withUnsafeBufferPointer { p in
            direction.withUnsafeBufferPointer { d in
                loss.data.images.withUnsafeBufferPointer { x in
                    loss.data.labels.withUnsafeBufferPointer { y in
                        batchProduct.withUnsafeMutableBufferPointer { hv in
                            var start = 0
                            while start < count {
                                let end = min(count, start + engine.maxBatch)
                                _ = engine.sumHVP(parameters: p, direction: d, images: UnsafeBufferPointer(rebasing: x[(start * size)..<(end * size)]),
                                                  labels: UnsafeBufferPointer(rebasing: y[start..<end]), hv: hv)
                                for i in 0..<hv.count { out[i] += Double(hv[i]) }
                                start = end
                            }
                        }
                    }
                }
            }
        }
        productCount += 1
        let scale = length / Double(count)
        for i in out.indices { out[i] *= scale }
        return out
    }
}
