// The committed PyTorch oracle (scripts/reference/hessian_oracle.py): a tiny network near a
// minimizer, its exact float64 Hessian's eigenvalues and trace, and exact HVPs along three directions.
import Foundation
import XCTest
import Tensor
import TestSupport
import NN
import Curvature

struct HessianFixture: Decodable {
    var generator: String
    var spec: ModelSpec
    var images: [Float], labels: [Float], parameters: [Float]
    var meanLoss: Double
    var meanGradient: [Double]
    var directions: [[Double]], hessianVectorProducts: [[Double]]
    var eigenvalues: [Double]
    var trace: Double, frobeniusSquared: Double, diagonalSquared: Double

    static func load() throws -> HessianFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/hessian-tiny.json")
        return try JSONDecoder().decode(HessianFixture.self, from: Data(contentsOf: url))
    }

    /// The training loss over the fixture's images (two 32-image batches).
    func trainingLoss(threads: Int = 2) throws -> TrainingLoss {
        let network = Network(model: try Model(spec), maxBatch: 32, threads: threads)
        return TrainingLoss(network: network, data: TrainingData(images: images, labels: labels))
    }
}

func assertClose<A: BinaryFloatingPoint, E: BinaryFloatingPoint>(_ actual: [A], _ expected: [E], atol: Double, rtol: Double,
                                                                  _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    if let failure = Closeness.check(actual, expected, atol: atol, rtol: rtol, label: label) {
        XCTFail(failure, file: file, line: line)
    }
}

func relativeError(_ a: [Double], _ e: [Double]) -> Double {
    var d = 0.0, n = 0.0
    for i in a.indices { d += (a[i] - e[i]) * (a[i] - e[i]); n += e[i] * e[i] }
    return (d / n).squareRoot()
}
