// A `hessian` object as the report reads it back (the stage's layout is in Study/HessianStage.swift):
// λ_max, the trace, and λ_max's Lanczos run as one quadrature probe of the spectral density (F21).
import Foundation
import Store
import Training

public struct HessianResult: Sendable, Equatable {
    public var batchSize: Int, learningRate: Double, replicate: Int
    public var lambdaMax: Double, trace: Double, traceStandardError: Double
    /// Ritz values (descending) and Gauss weights (sum 1); empty in objects from before hessian v3.
    public var nodes: [Double], weights: [Double]

    public init(batchSize: Int, learningRate: Double, replicate: Int = 1, lambdaMax: Double, trace: Double, traceStandardError: Double,
                nodes: [Double], weights: [Double]) {
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.replicate = replicate
        self.lambdaMax = lambdaMax
        self.trace = trace
        self.traceStandardError = traceStandardError
        self.nodes = nodes
        self.weights = weights
    }

    public static func read(_ url: URL, stage: String) throws -> HessianResult {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        guard case .int(let bs) = try file.attribute("batch_size"), case .double(let lr) = try file.attribute("lr") else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "attributes batch_size and lr; is this a hessian object?")
        }
        var replicate = 1
        if case .int(let r)? = try? file.attribute("replicate") { replicate = Int(r) }
        func one(_ name: String) throws -> Double { try file.read(name, as: Double.self).values.first ?? .nan }
        let spectrum = try file.exists("/spectrum/nodes")
        return HessianResult(batchSize: Int(bs), learningRate: lr, replicate: replicate, lambdaMax: try one("/lambda_max"),
                             trace: try one("/trace"), traceStandardError: try one("/trace_standard_error"),
                             nodes: spectrum ? try file.read("/spectrum/nodes", as: Double.self).values : [],
                             weights: spectrum ? try file.read("/spectrum/weights", as: Double.self).values : [])
    }

    /// The density Σ_k w_k N(λ; node_k, σ²) at `lambda`.
    public func density(at lambda: Double, sigma: Double) -> Double {
        zip(nodes, weights).reduce(0) { acc, nw in
            let z = (lambda - nw.0) / sigma
            return acc + nw.1 * Foundation.exp(-0.5 * z * z) / (sigma * (2 * Double.pi).squareRoot())
        }
    }
}
