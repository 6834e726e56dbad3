// Dinh et al.'s question asked of every measure: rescale layer j by α and layer j+1 by 1/α (the
// same function), measure again, and see which numbers move.
import NN

public struct AuditRow: Sendable {
    public var alpha: Float
    /// max_n |logit_n(α) − logit_n(1)| over the image set: 0 up to rounding (exactly 0 for α a power of 2).
    public var maxLogitChange: Float
    public var measurement: CurvatureMeasurement
}

public enum ReparametrisationAudit {
    /// The measures at Reparametrisation.rescale(θ, layer, α) for each α.
    public static func run(_ loss: TrainingLoss, theta: [Float], layer: Int, alphas: [Float], settings: CurvatureSettings) -> [AuditRow] {
        let layout = loss.network.model.layout
        let reference = logits(loss, theta)
        return alphas.map { alpha in
            let scaled = Reparametrisation.rescale(theta, layout: layout, layer: layer, alpha: alpha)
            let change = zip(logits(loss, scaled), reference).map { abs($0 - $1) }.max() ?? 0
            return AuditRow(alpha: alpha, maxLogitChange: change,
                            measurement: CurvatureMeasurement(loss: loss, theta: scaled, settings: settings))
        }
    }

    /// The logits (N) of the loss's image set at θ, batch by batch.
    public static func logits(_ loss: TrainingLoss, _ theta: [Float]) -> [Float] {
        let network = loss.network, size = network.model.spec.inputSize
        var out: [Float] = []
        theta.withUnsafeBufferPointer { p in
            loss.data.images.withUnsafeBufferPointer { x in
                loss.data.labels.withUnsafeBufferPointer { y in
                    var start = 0
                    while start < loss.count {
                        let end = min(loss.count, start + network.maxBatch)
                        _ = network.evaluate(parameters: p, images: UnsafeBufferPointer(rebasing: x[(start * size)..<(end * size)]),
                                             labels: UnsafeBufferPointer(rebasing: y[start..<end]))
                        out += network.lastLogits(count: end - start)
                        start = end
                    }
                }
            }
        }
        return out
    }
}
