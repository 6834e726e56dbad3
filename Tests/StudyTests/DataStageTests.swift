// generate and split through their stage bodies: layout, determinism, stratification.
import Foundation
import Pipeline
import Store
@testable import Study
import XCTest

final class DataStageTests: XCTestCase {
    func testGenerateWritesTheImageSetLayoutDeterministically() throws {
        let h = try StageHarness()
        let params: [String: ParamValue] = ["count": .int(60), "size": .int(16)]
        let a = try h.run(GenerateStage.self, params).output("images")
        let b = try h.run(GenerateStage.self, params).output("images")
        XCTAssertEqual(try Data(contentsOf: a), try Data(contentsOf: b), "same parameters → same bytes")
        let file = try HDF5File.open(a.path)
        defer { try? file.close() }
        XCTAssertEqual(try file.info("/images").shape, [60, 3, 16, 16])
        XCTAssertEqual(try file.info("/images").dtype, .uint8)
        let labels = try file.read("/labels", as: UInt8.self).values
        XCTAssertEqual(labels.count, 60)
        XCTAssertEqual(try file.attribute("count_per_class"), .ints([30, 30]))
        let c = try h.run(GenerateStage.self, ["count": .int(60), "size": .int(16), "seed": .int(2)]).output("images")
        XCTAssertNotEqual(try Data(contentsOf: a), try Data(contentsOf: c), "another seed → other images")
    }

    func testSplitIsStratifiedDisjointCompleteAndSeeded() throws {
        let h = try StageHarness()
        let data = try h.run(GenerateStage.self, ["count": .int(101), "size": .int(8)]).output("images")
        let split = try h.run(SplitStage.self, inputs: ["data": data]).output("split")
        let file = try HDF5File.open(split.path)
        defer { try? file.close() }
        let train = try file.read("/train", as: Int64.self).values, val = try file.read("/validation", as: Int64.self).values
        XCTAssertEqual(Set(train).intersection(val), [])
        XCTAssertEqual((train + val).sorted(), (0..<101).map(Int64.init))
        let labels = try ImageSetFile.readLabels(data, stage: "t")
        let valPerClass = ImageSetFile.countPerClass(val.map { labels[Int($0)] })
        let allPerClass = ImageSetFile.countPerClass(labels)
        for c in 0..<2 {
            XCTAssertEqual(Double(valPerClass[c]), (Double(allPerClass[c]) * 0.2).rounded(), accuracy: 0.5)
        }
        let again = try h.run(SplitStage.self, inputs: ["data": data]).output("split")
        XCTAssertEqual(try Data(contentsOf: split), try Data(contentsOf: again))
        let other = try h.run(SplitStage.self, ["seed": .int(9)], inputs: ["data": data]).output("split")
        XCTAssertNotEqual(try Data(contentsOf: split), try Data(contentsOf: other))
    }

    func testSplitRejectsAFractionOutsideZeroOne() throws {
        let h = try StageHarness()
        let data = try h.run(GenerateStage.self, ["count": .int(20), "size": .int(8)]).output("images")
        XCTAssertThrowsError(try h.run(SplitStage.self, ["validation_fraction": .double(1.5)], inputs: ["data": data])) {
            XCTAssertTrue("\($0)".contains("validation_fraction"), "\($0)")
        }
    }
}
