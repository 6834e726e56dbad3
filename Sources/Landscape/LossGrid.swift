// The 2-D grid of a loss landscape: its axes, the point numbering, the per-point results, and the
// evaluator that computes one point at θ + a·δ + b·η. A point's result depends only on its (a, b)
// and the fixed inputs, never on which points ran before, so any subset (a resumed run, one MPI
// rank's share) can be computed separately and assembled into the same bytes.
import NN
import Tensor

/// The grid's coordinates. Point k is (i, j) = (k / y.count, k % y.count), at (x[i], y[j]): row-major
/// in (i, j), the order of `train_loss[i, j]` in the output.
public struct GridAxes: Sendable, Hashable {
    public var x: [Double]
    public var y: [Double]

    public init(x: [Double], y: [Double]) {
        precondition(!x.isEmpty && !y.isEmpty, "a grid needs at least one coordinate per axis")
        self.x = x
        self.y = y
    }

    /// `count` evenly spaced values from `min` to `max` (numpy's linspace: min + k·step, the last one
    /// exactly `max`; one value is `min`).
    public static func linspace(_ min: Double, _ max: Double, count: Int) -> [Double] {
        precondition(count >= 1, "linspace needs count ≥ 1")
        guard count > 1 else { return [min] }
        let step = (max - min) / Double(count - 1)
        return (0..<count).map { $0 == count - 1 ? max : min + Double($0) * step }
    }

    public var pointCount: Int { x.count * y.count }

    public func indices(ofPoint k: Int) -> (i: Int, j: Int) { (k / y.count, k % y.count) }

    public func point(_ k: Int) -> (a: Double, b: Double) {
        let (i, j) = indices(ofPoint: k)
        return (x[i], y[j])
    }
}

/// Mean loss and accuracy per grid point (NaN where not computed yet), indexed by point number.
public struct GridResults: Sendable, Equatable {
    public var loss: [Double]
    public var accuracy: [Double]
    public var done: [Bool]

    public init(pointCount: Int) {
        loss = Array(repeating: .nan, count: pointCount)
        accuracy = Array(repeating: .nan, count: pointCount)
        done = Array(repeating: false, count: pointCount)
    }

    public var completed: Int { done.lazy.filter { $0 }.count }
    public var pending: [Int] { done.indices.filter { !done[$0] } }

    public mutating func set(_ k: Int, _ stats: BatchStats) {
        loss[k] = stats.meanLoss
        accuracy[k] = stats.accuracy
        done[k] = true
    }

    /// Takes the points another part (a resume file, another rank) computed.
    public mutating func merge(_ other: GridResults) {
        precondition(other.done.count == done.count, "merging grids of \(other.done.count) and \(done.count) points")
        for k in other.done.indices where other.done[k] {
            loss[k] = other.loss[k]
            accuracy[k] = other.accuracy[k]
            done[k] = true
        }
    }
}

/// Evaluates the training loss and accuracy at θ + a·δ + b·η over a fixed data set, forward only,
/// with one Network and one reused parameter buffer (nothing is allocated per point).
public final class GridEvaluator: @unchecked Sendable {
    /// Images per forward batch. Part of the arithmetic (the order of the loss sums), so fixed.
    public static let batch = EvaluationBatch.analysis

    public let model: Model
    private let theta: [Float], dx: [Float], dy: [Float]
    private let data: TrainingData
    private let network: Network
    private var perturbed: [Float]

    /// theta, dx, dy: (P) in `model.layout` · data: the images the loss is averaged over.
    public init(model: Model, theta: [Float], dx: [Float], dy: [Float], data: TrainingData, threads: Int) {
        precondition(theta.count == model.parameterCount && dx.count == theta.count && dy.count == theta.count,
                     "θ and the directions must have the model's \(model.parameterCount) parameters")
        precondition(data.count > 0 && data.images.count == data.count * model.spec.inputSize,
                     "grid data must hold whole images of the model's input size")
        self.model = model
        self.theta = theta
        self.dx = dx
        self.dy = dy
        self.data = data
        network = Network(model: model, maxBatch: min(Self.batch, data.count), threads: threads)
        perturbed = Array(repeating: 0, count: theta.count)
    }

    /// Loss sum and correct count over the data at θ + (a·δ + b·η) (Li et al.'s order: the change
    /// first, then added to θ), every entry in Float.
    public func evaluate(a: Double, b: Double) -> BatchStats {
        let fa = Float(a), fb = Float(b)
        perturbed.withUnsafeMutableBufferPointer { w in
            theta.withUnsafeBufferPointer { t in dx.withUnsafeBufferPointer { u in dy.withUnsafeBufferPointer { v in
                for k in 0..<w.count { w[k] = t[k] + (fa * u[k] + fb * v[k]) }
            } } }
        }
        return perturbed.withUnsafeBufferPointer { w in
            data.images.withUnsafeBufferPointer { x in data.labels.withUnsafeBufferPointer { y in
                // Sizes were checked in init, so evaluateDataset cannot throw here.
                try! network.evaluateDataset(parameters: w, images: x, labels: y)
            } }
        }
    }

    /// Computes the listed points into `results`, calling `after(k, results)` once each is stored.
    public func compute(_ points: [Int], axes: GridAxes, into results: inout GridResults,
                        after: (Int, GridResults) throws -> Void = { _, _ in }) rethrows {
        for k in points {
            let (a, b) = axes.point(k)
            results.set(k, evaluate(a: a, b: b))
            try after(k, results)
        }
    }
}
