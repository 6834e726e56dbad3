// Same content → same bytes, and the files are readable by h5dump and comparable by h5diff.
import Foundation
@testable import Store
import TestSupport
import XCTest

final class HDF5DeterminismTests: XCTestCase {
    /// Writes groups, small and large (chunked, compressed) datasets, attributes and an appended dataset.
    private func writeSample(_ path: String, bump: Float = 0) throws {
        let file = try HDF5File.create(path)
        try file.createGroup("/model/layers")
        try file.write("/model/layers/w", HDF5Array<Float>(shape: [64, 32, 3, 3], values: (0..<18432).map { Float($0 % 251) * 0.01 + bump }))
        try file.write("/model/b", HDF5Array<Double>(shape: [64], values: (0..<64).map { Double($0) / 3 }))
        try file.write("/labels", HDF5Array<Int64>(shape: [3], values: [3, 1, 2]))
        try file.setAttribute("seed", .int(1234))
        try file.setAttribute("note", .string("deterministic"), at: "/model")
        let writer = try file.createRowWriter("/images", rowShape: [3, 8, 8], as: UInt8.self, chunkRows: 4)
        for i in 0..<10 { try writer.append((0..<192).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }) }
        try writer.close()
        try file.close()
    }

    func testSameContentGivesSameBytes() throws {
        let dir = try makeTempDirectory(self)
        let a = dir.appendingPathComponent("a.h5"), b = dir.appendingPathComponent("b.h5")
        try writeSample(a.path)
        usleep(1_100_000)  // a timestamp in the file would now differ by at least a second
        try writeSample(b.path)
        XCTAssertEqual(try fileBytes(a), try fileBytes(b), "identical content must give identical bytes")
        XCTAssertEqual(try ObjectHash.ofFile(atPath: a.path).hash, try ObjectHash.ofFile(atPath: b.path).hash)
    }

    func testDifferentContentGivesDifferentBytes() throws {
        let dir = try makeTempDirectory(self)
        let a = dir.appendingPathComponent("a.h5"), b = dir.appendingPathComponent("b.h5")
        try writeSample(a.path)
        try writeSample(b.path, bump: 0.5)
        XCTAssertNotEqual(try fileBytes(a), try fileBytes(b))
    }

    func testAppendingRowByRowInOneGoOrResumedGivesTheSameBytes() throws {
        let dir = try makeTempDirectory(self)
        let rows = (0..<20).map { i in (0..<48).map { Float(i * 48 + $0) } }
        func write(_ name: String, _ sessions: [[ArraySlice<[Float]>]]) throws -> Data {
            let path = dir.appendingPathComponent(name).path
            for (i, session) in sessions.enumerated() {
                let file = i == 0 ? try HDF5File.create(path) : try HDF5File.open(path, mode: .readWrite)
                let writer = i == 0 ? try file.createRowWriter("/g", rowShape: [48], as: Float.self, chunkRows: 4)
                    : try file.openRowWriter("/g", as: Float.self)
                for block in session { try writer.append(block.flatMap { $0 }) }
                try file.close()
            }
            return try fileBytes(URL(fileURLWithPath: path))
        }
        let perRow = try write("rows.h5", [rows.indices.map { rows[$0...$0] }])
        let bulk = try write("bulk.h5", [[rows[...]]])
        let resumed = try write("resumed.h5", [[rows[0..<7]], [rows[7..<13], rows[13...]]])
        XCTAssertEqual(perRow, bulk)
        XCTAssertEqual(perRow, resumed, "a grid resumed in a second session must hash like one written at once")
    }

    func testH5dumpReadsAndH5diffCompares() throws {
        let dir = try makeTempDirectory(self)
        let a = dir.appendingPathComponent("a.h5").path, b = dir.appendingPathComponent("b.h5").path
        let c = dir.appendingPathComponent("c.h5").path
        try writeSample(a)
        try writeSample(b)
        try writeSample(c, bump: 0.5)
        let dump = try runTool("/usr/bin/h5dump", ["-A", a])
        XCTAssertEqual(dump.status, 0, dump.output)
        XCTAssertTrue(dump.output.contains("DATASET \"w\""), dump.output)
        XCTAssertTrue(dump.output.contains("\"deterministic\""), dump.output)
        XCTAssertTrue(dump.output.contains("H5T_STD_U8LE"), dump.output)
        let values = try runTool("/usr/bin/h5dump", ["-d", "/labels", a])
        XCTAssertTrue(values.output.contains("3, 1, 2"), values.output)
        XCTAssertEqual(try runTool("/usr/bin/h5diff", [a, b]).status, 0)
        XCTAssertEqual(try runTool("/usr/bin/h5diff", [a, c]).status, 1)
    }
}
