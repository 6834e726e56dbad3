// The extendable dataset: streaming appends, reopening to resume, and its guard rails.
import Foundation
@testable import Store
import XCTest

final class HDF5RowWriterTests: XCTestCase {
    func testAppendsStreamAndResume() throws {
        let path = try makeTempDirectory(self).appendingPathComponent("grid.h5").path
        let row = { (i: Int) in (0..<6).map { Float(i * 10 + $0) } }
        do {
            let file = try HDF5File.create(path)
            let writer = try file.createRowWriter("/grid/loss", rowShape: [2, 3], as: Float.self, chunkRows: 2)
            XCTAssertEqual(writer.rowCount, 0)
            try writer.append(row(0))
            try writer.append(row(1) + row(2))
            XCTAssertEqual(writer.rowCount, 3)
            try file.close()
        }
        do {  // resume: a second process continues the grid
            let file = try HDF5File.open(path, mode: .readWrite)
            let writer = try file.openRowWriter("/grid/loss", as: Float.self)
            XCTAssertEqual(writer.rowCount, 3)
            XCTAssertEqual(writer.rowShape, [2, 3])
            try writer.append(row(3))
            try file.close()
        }
        let file = try HDF5File.open(path)
        let all = try file.read("/grid/loss", as: Float.self)
        XCTAssertEqual(all.shape, [4, 2, 3])
        XCTAssertEqual(all.values, (0..<4).flatMap(row))
        let info = try file.info("/grid/loss")
        XCTAssertTrue(info.isExtendable)
        XCTAssertEqual(info.chunkShape, [2, 2, 3])
    }

    func testResumeRefusesWrongTypeFixedDatasetAndReadOnlyFile() throws {
        let path = try makeTempDirectory(self).appendingPathComponent("r.h5").path
        let file = try HDF5File.create(path)
        _ = try file.createRowWriter("/x", rowShape: [4], as: Double.self)
        try file.write("/fixed", HDF5Array<Double>(shape: [1, 4], values: [1, 2, 3, 4]))
        XCTAssertThrowsError(try file.openRowWriter("/x", as: Float.self)) { error in
            XCTAssertEqual(error as? HDF5Error, .typeMismatch(file: path, object: "/x", stored: "float64", requested: "float32"))
        }
        XCTAssertThrowsError(try file.openRowWriter("/fixed", as: Double.self)) { error in
            guard case .shapeMismatch? = error as? HDF5Error else { return XCTFail("\(error)") }
        }
        try file.close()
        let readOnly = try HDF5File.open(path)
        XCTAssertThrowsError(try readOnly.openRowWriter("/x", as: Double.self)) { error in
            XCTAssertTrue("\(error)".contains("read-only"), "\(error)")
        }
    }

    func testAppendAfterFileCloseThrows() throws {
        let path = try makeTempDirectory(self).appendingPathComponent("c.h5").path
        let file = try HDF5File.create(path)
        let writer = try file.createRowWriter("/x", rowShape: [2], as: Int32.self)
        try file.close()
        XCTAssertThrowsError(try writer.append([1, 2]))
    }
}
