// Random directions and filter normalisation: per-filter norms, zeroed biases, Li et al.'s rule as
// run by PyTorch (committed fixture), and a permuted layout that positional matching would get wrong.
import Foundation
@testable import Landscape
import NN
@testable import Study
import Tensor
import TestSupport
import XCTest

final class DirectionsTests: XCTestCase {
    static let spec = ModelSpec(channels: 3, height: 16, width: 16, convWidths: [4, 8], denseWidths: [16])

    /// θ with non-zero biases and filters of very different norms.
    func theta(_ model: Model) -> [Float] {
        var t = model.initialParameters(seed: 3)
        var g = SeededGenerator(seed: 9)
        for s in model.layout.slices {
            for u in 0..<s.units {
                let scale = Float(0.1 + 3 * g.nextUnitDouble())
                for k in (s.offset + u * s.unitSize)..<(s.offset + (u + 1) * s.unitSize) {
                    t[k] = s.kind == .bias ? Float(g.nextGaussian()) : t[k] * scale
                }
            }
        }
        return t
    }

    func unitNorms(_ v: [Float], _ slice: ParameterSlice) -> [Double] {
        v.withUnsafeBufferPointer { p in
            (0..<slice.units).map { Directions.norm(p, (slice.offset + $0 * slice.unitSize)..<(slice.offset + ($0 + 1) * slice.unitSize)) }
        }
    }

    func testEveryFilterAndNeuronHasThetasNormAndBiasesAreZero() throws {
        let model = try Model(Self.spec)
        let t = theta(model)
        let d = Directions.random(layout: model.layout, theta: t, seed: 5, normalisation: .filter)
        var weightSlices = 0
        for s in model.layout.slices {
            if s.kind == .bias {
                XCTAssertTrue(d[s.range].allSatisfy { $0 == 0 }, "\(s.name) must be zero")
                continue
            }
            weightSlices += 1
            let expected = unitNorms(t, s)
            XCTAssertNil(Closeness.check(unitNorms(d, s), expected, atol: 0, rtol: 1e-5, label: "\(s.name) unit norms"))
            if s.units > 1 {
                XCTAssertGreaterThan(Set(expected.map { Float($0) }).count, 1, "\(s.name): the test needs filters of different norms")
            }
            // A direction, not a copy of θ.
            XCTAssertGreaterThan(zip(d[s.range], t[s.range]).map { abs($0 - $1) }.max()!, 0.01)
        }
        XCTAssertEqual(weightSlices, 4, "2 conv, 1 hidden dense and the output weight slices")
    }

    func testUnnormalisedKeepsGaussianWeightsAndZeroesBiases() throws {
        let model = try Model(Self.spec)
        let raw = Directions.gaussian(count: model.parameterCount, seed: 5)
        let d = Directions.random(layout: model.layout, theta: theta(model), seed: 5, normalisation: .unnormalised)
        for s in model.layout.slices {
            XCTAssertEqual(Array(d[s.range]), s.kind == .bias ? Array(repeating: 0, count: s.count) : Array(raw[s.range]), s.name)
        }
    }

    func testSeedsAndGaussianStream() {
        let (x, y) = Directions.seeds(directionSeed: 1)
        XCTAssertNotEqual(x, y)
        XCTAssertEqual(Directions.seeds(directionSeed: 1).x, x)
        XCTAssertNotEqual(Directions.seeds(directionSeed: 2).x, x)
        let g = Directions.gaussian(count: 200_000, seed: x)
        XCTAssertEqual(g, Directions.gaussian(count: 200_000, seed: x))
        let mean = g.reduce(0.0) { $0 + Double($1) } / Double(g.count)
        let variance = g.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(g.count)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.01)
    }

    /// Li et al.'s rule as PyTorch runs it (scripts/reference/landscape_oracle.py) on the same raw vectors.
    func testMatchesLiEtAlFilterNormalisationInPyTorch() throws {
        let f = try LandscapeFixture.load()
        let model = try Model(f.spec.modelSpec)
        for (raw, expected, name) in [(f.rawX, f.dirX, "x"), (f.rawY, f.dirY, "y")] {
            var d = raw.map { Float($0) }
            Directions.normalise(&d, theta: f.theta.map { Float($0) }, slices: model.layout.slices, normalisation: .filter)
            XCTAssertNil(Closeness.check(d, expected, atol: 1e-7, rtol: 2e-6, label: "direction \(name) vs PyTorch"))
        }
    }

    /// The same parameters stored in another order (output layer first, biases before weights, …):
    /// normalising through the permuted layout and mapping back must give exactly the standard result.
    /// Code that assumed the standard positions would scale the wrong entries.
    func testPermutedLayoutGivesTheSameDirection() throws {
        let model = try Model(Self.spec)
        let t = theta(model)
        let raw = Directions.gaussian(count: model.parameterCount, seed: 11)
        var standard = raw
        Directions.normalise(&standard, theta: t, slices: model.layout.slices, normalisation: .filter)

        // New offsets: slices laid out in reversed order, with each weight/bias pair swapped.
        var order = Array(model.layout.slices.reversed())
        for i in stride(from: 0, to: order.count - 1, by: 2) { order.swapAt(i, i + 1) }
        var permuted: [ParameterSlice] = []
        var offset = 0
        for s in order {
            var p = s
            p.offset = offset
            offset += s.count
            permuted.append(p)
        }
        XCTAssertNotEqual(permuted.map(\.offset), order.map(\.offset), "offsets really move")
        func move(_ v: [Float], from: [ParameterSlice], to: [ParameterSlice]) -> [Float] {
            var out = [Float](repeating: .nan, count: v.count)
            for s in from {
                let target = to.first { $0.name == s.name }!
                out[target.range] = v[s.range]
            }
            return out
        }
        let tP = move(t, from: model.layout.slices, to: permuted)
        var dP = move(raw, from: model.layout.slices, to: permuted)
        // Shuffled slice list too: only offsets may matter, never the list position.
        var g = SeededGenerator(seed: 4)
        Directions.normalise(&dP, theta: tP, slices: permuted.shuffled(using: &g), normalisation: .filter)
        XCTAssertEqual(move(dP, from: permuted, to: model.layout.slices), standard)

        // The test has teeth: the standard layout applied to the permuted buffers is wrong.
        var wrong = move(raw, from: model.layout.slices, to: permuted)
        Directions.normalise(&wrong, theta: tP, slices: model.layout.slices, normalisation: .filter)
        XCTAssertNotEqual(move(wrong, from: permuted, to: model.layout.slices), standard)
    }
}

/// scripts/reference/landscape_oracle.py's output.
struct LandscapeFixture: Decodable {
    struct Spec: Decodable {
        var channels: Int, height: Int, width: Int, convWidths: [Int], denseWidths: [Int]
        var modelSpec: ModelSpec { ModelSpec(channels: channels, height: height, width: width, convWidths: convWidths, denseWidths: denseWidths) }
    }
    var spec: Spec
    var images: [Double], labels: [Double], theta: [Double]
    var rawX: [Double], rawY: [Double], dirX: [Double], dirY: [Double]
    var xcoordinates: [Double], ycoordinates: [Double]
    var loss: [[Double]], accuracy: [[Double]]

    static func load() throws -> LandscapeFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/landscape-tiny.json")
        return try JSONDecoder().decode(LandscapeFixture.self, from: Data(contentsOf: url))
    }
}
