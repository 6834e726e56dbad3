// Finite-difference gradient checks (Double reference, tiny shapes) for every layer and the whole
// network, with a random upstream gradient and the scalar sum(out · dOut).
@testable import NN
import Tensor
import TestSupport
import XCTest

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
func doubles(_ a: [Float]) -> [Double] { a.map(Double.init) }

final class GradientCheckTests: XCTestCase {
    /// Every engine the CPU has, on a shape with one vector of output channels and short chains (2 → 3,
    /// C·9 = 18, like the first layer's 27) and one with two vectors (4 → 20).
    func testConv3x3ForwardAndBackward() {
        for engine in ConvEngine.allCases where engine.isAvailable {
            for (c, k) in [(2, 3), (4, 20)] { checkConv3x3(ConvBlockShape(inChannels: c, outChannels: k, height: 4, width: 6), engine: engine) }
        }
    }

    func checkConv3x3(_ s: ConvBlockShape, engine: ConvEngine) {
        let c = s.inChannels, k = s.outChannels, label = "\(engine) \(c)→\(k): "
        let x = TestData.uniform(s.inputSize, seed: 1), w = TestData.uniform(k * c * 9, seed: 2)
        let dOut = TestData.uniform(s.convSize, seed: 3)
        var out = [Float](repeating: 0, count: s.convSize)
        var col = [Float](repeating: 0, count: s.colSize), dCol = [Float](repeating: 0, count: max(s.colSize, s.convSize))
        var dW = [Float](repeating: 0, count: w.count), dWT = dW, dX = [Float](repeating: 0, count: x.count)
        Conv3x3.forward(x, weights: w, shape: s, col: &col, out: &out, engine: engine)
        let ref = Reference.conv(doubles(x), doubles(w), nil, c: c, h: 4, wd: 6, k: k)
        assertClose(out, ref, atol: 1e-5, rtol: 1e-5, label + "conv forward")
        Conv3x3.backward(x, weights: w, dOut: dOut, shape: s, col: &col, dCol: &dCol, dWT: &dWT, dX: &dX, engine: engine)
        Conv3x3.addTransposed(dWT, shape: s, into: &dW)
        let scalarOfW = { (wv: [Double]) in dot(Reference.conv(doubles(x), wv, nil, c: c, h: 4, wd: 6, k: k), doubles(dOut)) }
        let scalarOfX = { (xv: [Double]) in dot(Reference.conv(xv, doubles(w), nil, c: c, h: 4, wd: 6, k: k), doubles(dOut)) }
        assertClose(dW, Reference.finiteDifference(doubles(w), scalarOfW), atol: 1e-5, rtol: 1e-4, label + "conv dW")
        assertClose(dX, Reference.finiteDifference(doubles(x), scalarOfX), atol: 1e-5, rtol: 1e-4, label + "conv dX")
        // Accumulation: a second backward adds the same gradient again (into dWᵀ, then into dW).
        let once = dW
        Conv3x3.backward(x, weights: w, dOut: dOut, shape: s, col: &col, dCol: &dCol, dWT: &dWT, dX: &dX, engine: engine)
        dW = [Float](repeating: 0, count: w.count)
        Conv3x3.addTransposed(dWT, shape: s, into: &dW)
        assertClose(dW, once.map { 2 * $0 }, atol: 1e-6, rtol: 1e-6, label + "conv dWᵀ accumulates")
        Conv3x3.addTransposed(dWT, shape: s, into: &dW)
        assertClose(dW, once.map { 4 * $0 }, atol: 1e-6, rtol: 1e-6, label + "addTransposed accumulates")
        // Column tiles (7 does not divide H·W = 24: a short last tile) give the same products.
        var outTiled = out, dWTTiled = [Float](repeating: 0, count: w.count), dXTiled = dX
        Conv3x3.forward(x, weights: w, shape: s, col: &col, out: &outTiled, engine: engine, tile: 7)
        assertClose(outTiled, doubles(out), atol: 1e-6, rtol: 1e-6, label + "tiled conv forward")
        Conv3x3.backward(x, weights: w, dOut: dOut, shape: s, col: &col, dCol: &dCol, dWT: &dWTTiled, dX: &dXTiled, engine: engine, tile: 7)
        var dWTiled = [Float](repeating: 0, count: w.count)
        Conv3x3.addTransposed(dWTTiled, shape: s, into: &dWTiled)
        assertClose(dWTiled, doubles(once), atol: 1e-6, rtol: 1e-6, label + "tiled conv dW")
        assertClose(dXTiled, doubles(dX), atol: 1e-6, rtol: 1e-6, label + "tiled conv dX")
    }

    func testBiasReluPoolForwardAndBackward() {
        let (k, h, w) = (3, 4, 30)  // 15 outputs per row: 8 and 4 through the vector paths, 3 through the scalar one
        let conv = TestData.uniform(k * h * w, seed: 4), bias = TestData.uniform(k, seed: 5, scale: 0.3)
        let dPooled = TestData.uniform(k * (h / 2) * (w / 2), seed: 6)
        var pooled = [Float](repeating: 0, count: dPooled.count), argmax = [UInt8](repeating: 9, count: dPooled.count)
        BiasReluPool.forward(conv, bias: bias, channels: k, height: h, width: w, pooled: &pooled, argmax: &argmax)
        func reference(_ c: [Double], _ b: [Double]) -> [Double] {
            let biased = c.enumerated().map { $0.element + b[$0.offset / (h * w)] }
            return Reference.pool(Reference.relu(biased), k: k, h: h, wd: w)
        }
        assertClose(pooled, reference(doubles(conv), doubles(bias)), atol: 1e-6, rtol: 1e-6, "pool forward")
        XCTAssertTrue(pooled.contains(0) && pooled.contains { $0 > 0 }, "test data should hit both ReLU sides")
        var pooledOnly = [Float](repeating: .nan, count: pooled.count)
        BiasReluPool.forwardNoIndices(conv, bias: bias, channels: k, height: h, width: w, pooled: &pooledOnly)
        XCTAssertEqual(pooledOnly.map(\.bitPattern), pooled.map(\.bitPattern), "evaluation pooling = training pooling")
        var dConv = [Float](repeating: 7, count: conv.count), dBias = [Float](repeating: 0, count: k)
        BiasReluPool.backward(dPooled: dPooled, pooled: pooled, argmax: argmax, channels: k, height: h, width: w,
                              dConv: &dConv, dBias: &dBias)
        let fdConv = Reference.finiteDifference(doubles(conv)) { dot(reference($0, doubles(bias)), doubles(dPooled)) }
        let fdBias = Reference.finiteDifference(doubles(bias)) { dot(reference(doubles(conv), $0), doubles(dPooled)) }
        assertClose(dConv, fdConv, atol: 1e-5, rtol: 1e-4, "pool dConv")
        assertClose(dBias, fdBias, atol: 1e-5, rtol: 1e-4, "pool dBias")
    }

    func testDenseWithReluForwardAndBackward() {
        let (n, inputs, outputs) = (3, 5, 4)
        let x = TestData.uniform(n * inputs, seed: 7), w = TestData.uniform(outputs * inputs, seed: 8)
        let b = TestData.uniform(outputs, seed: 9, scale: 0.2), dY0 = TestData.uniform(n * outputs, seed: 10)
        var y = [Float](repeating: 0, count: n * outputs)
        Dense.forward(x, weights: w, bias: b, batch: n, inputs: inputs, outputs: outputs, relu: true, y: &y)
        func reference(_ xv: [Double], _ wv: [Double], _ bv: [Double]) -> [Double] {
            Reference.relu(Reference.dense(xv, wv, bv, n: n, inputs: inputs, outputs: outputs))
        }
        assertClose(y, reference(doubles(x), doubles(w), doubles(b)), atol: 1e-6, rtol: 1e-5, "dense forward")
        var dY = dY0
        Dense.reluBackward(y: y, dY: &dY, count: dY.count)
        var dW = [Float](repeating: 0, count: w.count), dB = [Float](repeating: 0, count: outputs)
        var dX = [Float](repeating: 0, count: x.count)
        Dense.backward(x, weights: w, dY: dY, batch: n, inputs: inputs, outputs: outputs, dW: &dW, dB: &dB, dX: &dX)
        let g = doubles(dY0)
        assertClose(dW, Reference.finiteDifference(doubles(w)) { dot(reference(doubles(x), $0, doubles(b)), g) },
                    atol: 1e-5, rtol: 1e-4, "dense dW")
        assertClose(dB, Reference.finiteDifference(doubles(b)) { dot(reference(doubles(x), doubles(w), $0), g) },
                    atol: 1e-5, rtol: 1e-4, "dense dB")
        assertClose(dX, Reference.finiteDifference(doubles(x)) { dot(reference($0, doubles(w), doubles(b)), g) },
                    atol: 1e-5, rtol: 1e-4, "dense dX")
    }

    func testBCEWithLogitsValueGradientAndStability() {
        let z: [Float] = [-30, -2.5, -0.1, 0, 0.3, 4, 40], y: [Float] = [1, 0, 1, 0, 1, 1, 0]
        var dZ = [Float](repeating: 0, count: z.count)
        let stats = BCEWithLogits.evaluate(logits: z, labels: y, count: z.count, dLogits: &dZ)
        let expected = zip(z, y).map { Reference.bce(Double($0), Double($1)) }
        XCTAssertEqual(stats.lossSum, expected.reduce(0, +), accuracy: 1e-9)
        XCTAssertEqual(stats.lossSum.isFinite, true)
        XCTAssertEqual(stats.correct, 4)  // predicted z > 0: right for -2.5, 0 (→ 0), 0.3, 4; wrong for -30, -0.1, 40
        for i in z.indices {
            let fd = Reference.finiteDifference([Double(z[i])]) { Reference.bce($0[0], Double(y[i])) }[0]
            XCTAssertEqual(Double(dZ[i]), fd, accuracy: 1e-5, "dℓ/dz at z = \(z[i])")
        }
    }

    /// Tiny spec used by the network checks (two conv blocks, one hidden dense layer).
    static let tiny = ModelSpec(channels: 2, height: 8, width: 8, convWidths: [3, 4], denseWidths: [5])

    func testWholeNetworkGradientMatchesFiniteDifferences() throws {
        let model = try Model(Self.tiny)
        let n = 11  // two chunks, the second partial
        var theta = TestData.uniform(model.parameterCount, seed: 11, scale: 0.5)
        for s in model.layout.slices where s.kind == .bias { for i in s.range { theta[i] *= 0.2 } }
        let images = TestData.uniform(n * Self.tiny.inputSize, seed: 12), labels = TestData.labels(n, seed: 13)
        let net = Network(model: model, maxBatch: 16, threads: 2)
        var grad = [Float](repeating: .nan, count: model.parameterCount)
        let stats = theta.withUnsafeBufferPointer { t in images.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in
            grad.withUnsafeMutableBufferPointer { net.gradient(parameters: t, images: x, labels: y, gradient: $0) } } } }
        let refLogits = Reference.logits(spec: Self.tiny, theta: doubles(theta), images: doubles(images), n: n)
        assertClose(net.lastLogits(count: n), refLogits, atol: 1e-5, rtol: 1e-5, "network logits")
        let refLoss = Reference.lossSum(spec: Self.tiny, theta: doubles(theta), images: doubles(images), labels: doubles(labels))
        XCTAssertEqual(stats.lossSum, refLoss, accuracy: 1e-5)
        XCTAssertEqual(stats.count, n)
        let fd = Reference.finiteDifference(doubles(theta)) {
            Reference.lossSum(spec: Self.tiny, theta: $0, images: doubles(images), labels: doubles(labels))
        }
        for slice in model.layout.slices {
            assertClose(Array(grad[slice.range]), Array(fd[slice.range]), atol: 2e-5, rtol: 1e-3, "network d\(slice.name)")
        }
        // The check can fail: one wrong element is reported.
        var wrong = grad
        wrong[model.layout.slices[0].offset] += 0.01
        XCTAssertNotNil(Closeness.check(wrong, fd, atol: 2e-5, rtol: 1e-3))
    }
}
