// Numeric diff of HDF5 files: presence, shapes, types, tolerance counts, attributes; other files by hash.
import Foundation
@testable import Store
import XCTest

final class HDF5CompareTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws { dir = try makeTempDirectory(self) }

    private func make(_ name: String, _ body: (HDF5File) throws -> Void) throws -> String {
        let path = dir.appendingPathComponent(name).path
        let file = try HDF5File.create(path)
        try body(file)
        try file.close()
        return path
    }

    func testIdenticalFilesAreSame() throws {
        let write: (HDF5File) throws -> Void = { f in
            try f.write("/w", HDF5Array<Float>(shape: [2, 2], values: [1, 2, 3, 4]))
            try f.setAttribute("lr", .double(0.1))
        }
        let report = try HDF5Compare.compare(try make("a.h5", write), try make("b.h5", write))
        XCTAssertTrue(report.isSame, report.description)
        XCTAssertEqual(report.datasets.map(\.status), [.same])
        XCTAssertEqual(report.datasets[0].maxAbsDiff, 0)
    }

    func testValuesBeyondToleranceAreCountedWithMaxima() throws {
        let a = try make("a.h5") { f in
            try f.write("/x", HDF5Array<Double>(shape: [5], values: [1, 2, 3, 4, 0]))
        }
        let b = try make("b.h5") { f in
            try f.write("/x", HDF5Array<Double>(shape: [5], values: [1, 2.001, 3.5, 4, 0.25]))
        }
        let strict = try HDF5Compare.compare(a, b)
        let d = strict.datasets[0]
        XCTAssertFalse(strict.isSame)
        XCTAssertEqual(d.status, .different)
        XCTAssertEqual(d.count, 5)
        XCTAssertEqual(d.beyondTolerance, 3)
        XCTAssertEqual(d.firstBadIndex, 1)
        XCTAssertEqual(d.maxAbsDiff!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(d.maxRelDiff!, 0.25 / 0.25, accuracy: 1e-12)  // |0 − 0.25| / |0.25|
        // 0.01 + 0.1·|b|: 2 vs 2.001 passes; 3 vs 3.5 (0.5 > 0.36) and 0 vs 0.25 (0.25 > 0.035) do not.
        let loose = try HDF5Compare.compare(a, b, atol: 0.01, rtol: 0.1)
        XCTAssertEqual(loose.datasets[0].beyondTolerance, 2)  // 3.5 and 0.25 remain
        let looser = try HDF5Compare.compare(a, b, atol: 0.3, rtol: 0.1)
        XCTAssertTrue(looser.isSame, looser.description)
        XCTAssertEqual(looser.datasets[0].status, .same)
        XCTAssertEqual(looser.datasets[0].maxAbsDiff!, 0.5, accuracy: 1e-12, "within tolerance still reports the difference")
    }

    func testLargeDatasetsAreComparedAcrossBlocks() throws {
        let n = HDF5Compare.blockElements / 4 * 3 + 17  // rows of 4 → several blocks
        var values = (0..<(n * 4)).map { Float($0 % 1000) }
        let a = try make("a.h5") { try $0.write("/big", HDF5Array(shape: [n, 4], values: values)) }
        values[values.count - 1] += 2
        values[5] -= 1
        let b = try make("b.h5") { try $0.write("/big", HDF5Array(shape: [n, 4], values: values)) }
        let d = try HDF5Compare.compare(a, b).datasets[0]
        XCTAssertEqual(d.count, n * 4)
        XCTAssertEqual(d.beyondTolerance, 2)
        XCTAssertEqual(d.firstBadIndex, 5)
        XCTAssertEqual(d.maxAbsDiff, 2)
    }

    func testNaNHandling() throws {
        let a = try make("a.h5") { try $0.write("/x", HDF5Array<Double>(shape: [3], values: [.nan, 1, .infinity])) }
        let b = try make("b.h5") { try $0.write("/x", HDF5Array<Double>(shape: [3], values: [.nan, .nan, .infinity])) }
        let report = try HDF5Compare.compare(a, b, atol: 1, rtol: 1)
        XCTAssertEqual(report.datasets[0].beyondTolerance, 1)
        XCTAssertEqual(report.datasets[0].firstBadIndex, 1)
        XCTAssertTrue(try report.jsonString().contains("\"inf\""))
    }

    func testStructuralDifferencesAndAttributes() throws {
        let a = try make("a.h5") { f in
            try f.write("/only-a", HDF5Array<Int32>(shape: [1], values: [1]))
            try f.write("/shape", HDF5Array<Float>(shape: [2, 3], values: Array(repeating: 0, count: 6)))
            try f.write("/type", HDF5Array<Float>(shape: [2], values: [1, 2]))
            try f.createGroup("/empty-a")
            try f.setAttribute("lr", .double(0.1))
            try f.setAttribute("gone", .string("x"), at: "/type")
        }
        let b = try make("b.h5") { f in
            try f.write("/only-b", HDF5Array<Int32>(shape: [1], values: [1]))
            try f.write("/shape", HDF5Array<Float>(shape: [3, 2], values: Array(repeating: 0, count: 6)))
            try f.write("/type", HDF5Array<Double>(shape: [2], values: [1, 2]))
            try f.setAttribute("lr", .double(0.2))
            try f.setAttribute("new", .ints([1]), at: "/")
        }
        let report = try HDF5Compare.compare(a, b)
        XCTAssertFalse(report.isSame)
        XCTAssertEqual(report.datasets.map(\.path), ["/only-a", "/only-b", "/shape", "/type"])
        XCTAssertEqual(report.datasets.map(\.status), [.onlyInA, .onlyInB, .shapeDiffers, .dtypeDiffers])
        XCTAssertEqual(report.datasets[3].beyondTolerance, 0, "float32 1,2 equal float64 1,2 as values")
        XCTAssertEqual(report.groupsOnlyInA, ["/empty-a"])
        XCTAssertEqual(report.attributes, [
            AttributeDifference(object: "/", name: "lr", status: .differs, valueA: .double(0.1), valueB: .double(0.2)),
            AttributeDifference(object: "/", name: "new", status: .onlyInB, valueA: nil, valueB: .ints([1])),
            AttributeDifference(object: "/type", name: "gone", status: .onlyInA, valueA: .string("x"), valueB: nil),
        ])
        let text = report.description
        XCTAssertTrue(text.contains("dataset /shape: shape [2, 3] vs [3, 2]"), text)
        XCTAssertTrue(text.contains("attribute @lr: 0.1 vs 0.2"), text)
        XCTAssertTrue(text.contains("dataset /only-a: only in A"), text)
        let json = try report.jsonString()
        let decoded = try JSONDecoder().decode(HDF5Comparison.self, from: Data(json.utf8))
        XCTAssertEqual(decoded, report)
    }

    func testFileComparisonByHashForOtherFiles() throws {
        let a = dir.appendingPathComponent("a.json"), b = dir.appendingPathComponent("b.json")
        try Data("{\"x\": 1}".utf8).write(to: a)
        try Data("{\"x\": 2}".utf8).write(to: b)
        let different = try FileComparison.compare(a, b)
        XCTAssertEqual(different.kind, .bytes)
        XCTAssertFalse(different.isSame)
        let same = try FileComparison.compare(a, a)
        XCTAssertEqual(same.kind, .identical)
        XCTAssertTrue(same.isSame)
        let h1 = try make("1.h5") { try $0.write("/x", HDF5Array<Float>(shape: [1], values: [1])) }
        let h2 = try make("2.h5") { try $0.write("/x", HDF5Array<Float>(shape: [1], values: [1.0001])) }
        let numeric = try FileComparison.compare(URL(fileURLWithPath: h1), URL(fileURLWithPath: h2), atol: 1e-3)
        XCTAssertEqual(numeric.kind, .hdf5)
        XCTAssertTrue(numeric.isSame, "different bytes, same numbers within tolerance")
    }
}
