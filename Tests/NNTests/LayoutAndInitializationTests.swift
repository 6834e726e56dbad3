// The flat parameter layout of the study's models and the seeded Glorot-uniform initialisation.
import XCTest
@testable import NN

final class LayoutAndInitializationTests: XCTestCase {
    func testStudy32LayoutIsContiguousWithPyTorchShapes() throws {
        let layout = try Model(.study32).layout
        XCTAssertEqual(layout.slices.map(\.name), ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight",
                                                   "conv3.bias", "dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias",
                                                   "out.weight", "out.bias"])
        XCTAssertEqual(layout["conv1.weight"]?.shape, [16, 3, 3, 3])
        XCTAssertEqual(layout["conv3.weight"]?.shape, [64, 32, 3, 3])
        XCTAssertEqual(layout["dense1.weight"]?.shape, [128, 1024])
        XCTAssertEqual(layout["out.weight"]?.shape, [1, 64])
        XCTAssertEqual(layout["dense2.bias"]?.kind, .bias)
        XCTAssertEqual(layout["conv2.weight"]?.kind, .convWeight)
        XCTAssertEqual(layout["dense1.weight"]?.kind, .denseWeight)
        XCTAssertEqual(layout.count, 163_105)
        XCTAssertEqual(layout.convCount, 23_584)
        var next = 0
        for s in layout.slices {
            XCTAssertEqual(s.offset, next, "\(s.name) must start where the previous slice ends")
            next += s.count
        }
        XCTAssertEqual(next, layout.count)
        XCTAssertEqual(layout["conv2.weight"]?.units, 32)
        XCTAssertEqual(layout["conv2.weight"]?.unitSize, 144)
    }

    func testStudy64AddsAFourthBlock() throws {
        let model = try Model(.study64)
        XCTAssertEqual(model.layout["conv4.weight"]?.shape, [64, 64, 3, 3])
        XCTAssertEqual(model.spec.flattenedFeatures, 1024)
    }

    func testInvalidSpecsThrow() {
        XCTAssertThrowsError(try Model(ModelSpec(channels: 3, height: 30, width: 32, convWidths: [8, 8], denseWidths: [4])))
        XCTAssertThrowsError(try Model(ModelSpec(channels: 3, height: 32, width: 32, convWidths: [], denseWidths: [4])))
        XCTAssertThrowsError(try Model(ModelSpec(channels: 3, height: 32, width: 32, convWidths: [8, 0], denseWidths: [4])))
    }

    func testGlorotUniformIsSeededBoundedAndHasTheRightSpread() throws {
        let model = try Model(.study32)
        let a = model.initialParameters(seed: 42), b = model.initialParameters(seed: 42), c = model.initialParameters(seed: 43)
        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "same seed, same bits")
        XCTAssertNotEqual(a, c)
        for s in model.layout.slices {
            let v = a[s.range]
            if s.kind == .bias {
                XCTAssertTrue(v.allSatisfy { $0 == 0 }, "\(s.name) starts at zero")
                continue
            }
            let (fanIn, fanOut) = Initialization.fans(of: s)
            let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
            XCTAssertTrue(v.allSatisfy { abs(Double($0)) <= limit }, "\(s.name) within ±\(limit)")
            let variance = v.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(v.count)
            // U(−l, l) has variance l²/3; 65 samples (out.weight) leave ~±35 % sampling error.
            XCTAssertEqual(variance / (limit * limit / 3), 1, accuracy: s.count > 1000 ? 0.1 : 0.45, "\(s.name) variance")
        }
        let conv1 = try XCTUnwrap(model.layout["conv1.weight"])
        XCTAssertTrue(Initialization.fans(of: conv1) == (27, 144), "Keras conv fans: C·3·3 and K·3·3")
    }
}
