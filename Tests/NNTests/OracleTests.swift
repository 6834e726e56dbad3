// Compares NN with a committed PyTorch fixture (scripts/reference/oracle.py): logits, loss, every
// parameter gradient, 10 SGD steps. Fails on any mismatch beyond the stated tolerances.
import Foundation
@testable import NN
import Tensor
import TestSupport
import XCTest

struct OracleFixture: Decodable {
    var generator: String
    var spec: ModelSpec
    var batch: Int
    var learningRate: Float
    var images: [Float], labels: [Float], parameters: [Float]
    var logits: [Float]
    var meanLoss: Double
    var meanGradient: [Float]
    var sgdLosses: [Double]
    var finalParameters: [Float]

    static func load(_ name: String) throws -> OracleFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return try JSONDecoder().decode(OracleFixture.self, from: Data(contentsOf: url))
    }
}

final class OracleTests: XCTestCase {
    func testMatchesPyTorchOneBatchAndTenSGDSteps() throws {
        let f = try OracleFixture.load("oracle-tiny.json")
        let model = try Model(f.spec)
        XCTAssertEqual(model.parameterCount, f.parameters.count, "layout size vs PyTorch's parameter count")
        XCTAssertEqual(f.images.count, f.batch * f.spec.inputSize)
        for engine in ConvEngine.allCases where engine.isAvailable {
        for threads in [1, 2] {
            let net = Network(model: model, maxBatch: f.batch, threads: threads, convEngine: engine)
            var theta = f.parameters
            var grad = [Float](repeating: 0, count: theta.count)
            func step() -> BatchStats {
                theta.withUnsafeBufferPointer { t in f.images.withUnsafeBufferPointer { x in f.labels.withUnsafeBufferPointer { y in
                    grad.withUnsafeMutableBufferPointer { net.gradient(parameters: t, images: x, labels: y, gradient: $0) } } } }
            }
            let stats = step()
            assertClose(net.lastLogits(count: f.batch), f.logits, atol: 1e-5, rtol: 1e-5, "logits (\(engine), \(threads) threads)")
            XCTAssertEqual(stats.meanLoss, f.meanLoss, accuracy: 1e-6)
            let mean = grad.map { $0 / Float(f.batch) }
            for s in model.layout.slices {
                assertClose(Array(mean[s.range]), Array(f.meanGradient[s.range]), atol: 1e-6, rtol: 1e-4, "d\(s.name) (\(engine), \(threads) threads)")
            }
            var losses: [Double] = []
            theta = f.parameters
            for _ in 0..<f.sgdLosses.count {
                let st = step()
                losses.append(st.meanLoss)
                SGD.step(parameters: &theta, gradientSum: grad, count: st.count, learningRate: f.learningRate)
            }
            assertClose(losses, f.sgdLosses, atol: 1e-6, rtol: 1e-5, "losses of 10 SGD steps")
            assertClose(theta, f.finalParameters, atol: 1e-5, rtol: 1e-4, "parameters after 10 SGD steps")
        }
        }
    }
}
