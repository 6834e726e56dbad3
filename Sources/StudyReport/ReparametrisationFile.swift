// The `reparametrisation` stage's `audit` object as the report reads it back (its layout is in
// Study/ReparametrisationStage.swift): one row per α of every measure, and the largest logit change.
import Foundation
import Store
import Training

public struct ReparametrisationAuditTable: Sendable, Equatable {
    public var batchSize: Int, learningRate: Double
    /// The layer scaled by α and the one scaled by 1/α.
    public var layer: String, nextLayer: String
    /// Keskar's φ box (phi_epsilon), the adaptive box ρ|θ_i| (rho) and the Keskar box of the sign ascent (epsilon).
    public var phiEpsilon: Double, rho: Double, epsilon: Double
    public var alpha: [Double], maxLogitChange: [Double], loss: [Double]
    public var phi: [Double], lambdaMax: [Double], trace: [Double]
    public var adaptiveWorst: [Double], adaptiveAverage: [Double], keskarBoxWorst: [Double]

    public init(batchSize: Int, learningRate: Double, layer: String, nextLayer: String, phiEpsilon: Double, rho: Double, epsilon: Double,
                alpha: [Double], maxLogitChange: [Double], loss: [Double], phi: [Double], lambdaMax: [Double], trace: [Double],
                adaptiveWorst: [Double], adaptiveAverage: [Double], keskarBoxWorst: [Double]) {
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.layer = layer
        self.nextLayer = nextLayer
        self.phiEpsilon = phiEpsilon
        self.rho = rho
        self.epsilon = epsilon
        self.alpha = alpha
        self.maxLogitChange = maxLogitChange
        self.loss = loss
        self.phi = phi
        self.lambdaMax = lambdaMax
        self.trace = trace
        self.adaptiveWorst = adaptiveWorst
        self.adaptiveAverage = adaptiveAverage
        self.keskarBoxWorst = keskarBoxWorst
    }

    public static func read(_ url: URL, stage: String) throws -> ReparametrisationAuditTable {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        func bad(_ detail: String) -> StudyError {
            StudyError.badInput(stage: stage, file: url.path, detail: detail + "; is this a reparametrisation audit object?")
        }
        guard case .int(let bs) = try file.attribute("batch_size"), case .double(let lr) = try file.attribute("lr"),
              case .string(let layer) = try file.attribute("layer"), case .string(let next) = try file.attribute("next_layer"),
              case .double(let phiEpsilon) = try file.attribute("phi_epsilon"), case .double(let rho) = try file.attribute("rho"),
              case .double(let epsilon) = try file.attribute("epsilon")
        else { throw bad("attributes batch_size, lr, layer, next_layer, phi_epsilon, rho, epsilon") }
        func column(_ name: String) throws -> [Double] { try file.read("/" + name, as: Double.self).values }
        let alpha = try column("alpha")
        let table = ReparametrisationAuditTable(
            batchSize: Int(bs), learningRate: lr, layer: layer, nextLayer: next, phiEpsilon: phiEpsilon, rho: rho, epsilon: epsilon,
            alpha: alpha, maxLogitChange: try column("max_logit_change"), loss: try column("f_x"), phi: try column("phi"),
            lambdaMax: try column("lambda_max"), trace: try column("trace"), adaptiveWorst: try column("adaptive_worst"),
            adaptiveAverage: try column("adaptive_average"), keskarBoxWorst: try column("keskar_box_worst"))
        let counts = [table.maxLogitChange, table.loss, table.phi, table.lambdaMax, table.trace, table.adaptiveWorst,
                      table.adaptiveAverage, table.keskarBoxWorst].map(\.count)
        guard !alpha.isEmpty, counts.allSatisfy({ $0 == alpha.count }) else {
            throw bad("\(alpha.count) α but columns of \(counts) rows")
        }
        return table
    }
}
