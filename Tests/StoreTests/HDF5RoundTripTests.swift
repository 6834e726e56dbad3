// Typed write/read of every element type and rank, groups, attributes, listing, layout and errors.
import CHDF5
import Foundation
@testable import Store
import XCTest

final class HDF5RoundTripTests: XCTestCase {
    func testEveryTypeAndRankRoundTrips() throws {
        let dir = try makeTempDirectory(self)
        let path = dir.appendingPathComponent("all.h5").path
        let f32 = HDF5Array<Float>(shape: [2, 3, 4, 5], values: (0..<120).map { Float($0) * 0.25 - 7 })
        let f64 = HDF5Array<Double>(shape: [3, 7], values: (0..<21).map { Double($0).squareRoot() * -1e300 })
        let i32 = HDF5Array<Int32>(shape: [5], values: [Int32.min, -1, 0, 1, Int32.max])
        let i64 = HDF5Array<Int64>(shape: [1, 2, 2], values: [Int64.min, -2, 3, Int64.max])
        let u8 = HDF5Array<UInt8>(shape: [2, 2, 2, 2, 2], values: (0..<32).map { UInt8($0 * 8) })
        let scalar = HDF5Array<Double>(scalar: 0.1)
        let empty = HDF5Array<Float>(shape: [0, 3], values: [])
        do {
            let file = try HDF5File.create(path)
            try file.write("/f32", f32)
            try file.write("group/sub/f64", f64)
            try file.write("/i32", i32)
            try file.write("/i64", i64)
            try file.write("/u8", u8)
            try file.write("/scalar", scalar)
            try file.write("/empty", empty)
            try file.close()
        }
        let file = try HDF5File.open(path)
        XCTAssertEqual(try file.read("/f32", as: Float.self), f32)
        XCTAssertEqual(try file.read("/group/sub/f64", as: Double.self), f64)
        XCTAssertEqual(try file.read("i32", as: Int32.self), i32)
        XCTAssertEqual(try file.read("/i64", as: Int64.self), i64)
        XCTAssertEqual(try file.read("/u8", as: UInt8.self), u8)
        XCTAssertEqual(try file.read("/scalar", as: Double.self), scalar)
        XCTAssertEqual(try file.read("/empty", as: Float.self), empty)
        XCTAssertEqual(try file.info("/u8").dtype, .uint8)
        XCTAssertEqual(try file.info("/scalar").shape, [])
        XCTAssertEqual(try file.datasetPaths(), ["/empty", "/f32", "/group/sub/f64", "/i32", "/i64", "/scalar", "/u8"])
        XCTAssertEqual(try file.entries().filter { $0.kind == .group }.map(\.path), ["/group", "/group/sub"])
    }

    func testReadRowsReturnsTheRequestedSlab() throws {
        let path = try makeTempDirectory(self).appendingPathComponent("rows.h5").path
        let values = (0..<60).map { Int32($0) }
        let file = try HDF5File.create(path)
        try file.write("/x", HDF5Array(shape: [10, 3, 2], values: values))
        let rows = try file.readRows("/x", 4..<7, as: Int32.self)
        XCTAssertEqual(rows.shape, [3, 3, 2])
        XCTAssertEqual(rows.values, Array(values[24..<42]))
        XCTAssertEqual(try file.readAsDouble("/x", rows: 9..<10), (54..<60).map(Double.init))
    }

    func testLargeArraysAreChunkedAndCompressedSmallOnesNot() throws {
        let path = try makeTempDirectory(self).appendingPathComponent("chunk.h5").path
        let big = HDF5Array<Float>(shape: [256, 256], values: (0..<65536).map { Float($0 % 97) })
        let file = try HDF5File.create(path)
        try file.write("/big", big)
        try file.write("/small", HDF5Array<Float>(shape: [4], values: [1, 2, 3, 4]))
        try file.write("/explicit", big, storage: .chunked(HDF5Chunking(chunkShape: [16, 256], shuffle: false, deflateLevel: 9)))
        let bigInfo = try file.info("/big")
        XCTAssertNotNil(bigInfo.chunkShape)
        XCTAssertEqual(bigInfo.filters, ["shuffle", "deflate"])
        XCTAssertNil(try file.info("/small").chunkShape)
        XCTAssertEqual(try file.info("/explicit").chunkShape, [16, 256])
        XCTAssertEqual(try file.info("/explicit").filters, ["deflate"])
        XCTAssertEqual(try file.read("/big", as: Float.self), big)
        try file.close()
        // 256 KiB of highly repetitive floats must shrink a lot once shuffled and deflated.
        let size = FileIO.size(path)!
        XCTAssertLessThan(size, 3 * 256 * 256 * 4 / 4, "compression had no effect: \(size) bytes")
    }

    func testAutomaticChunkShapeStaysNearOneMebibyte() {
        XCTAssertEqual(HDF5Chunking.automaticChunk(shape: [10], elementSize: 4), [10])
        let chunk = HDF5Chunking.automaticChunk(shape: [50000, 3, 32, 32], elementSize: 1)
        XCTAssertEqual(Array(chunk.dropFirst()), [3, 32, 32])
        XCTAssertLessThanOrEqual(chunk.reduce(1, *), 1 << 20)
        XCTAssertGreaterThan(chunk.reduce(1, *), 1 << 19)
        XCTAssertEqual(HDF5Chunking.automaticChunk(shape: [0, 5], elementSize: 8), [1, 5])
    }

    func testAttributesOnFileGroupAndDataset() throws {
        let path = try makeTempDirectory(self).appendingPathComponent("attrs.h5").path
        let file = try HDF5File.create(path)
        try file.write("/g/w", HDF5Array<Float>(shape: [2], values: [1, 2]))
        try file.setAttribute("title", .string("batch-size study ✓"))
        try file.setAttribute("empty", .string(""))
        try file.setAttribute("seed", .int(42), at: "/g")
        try file.setAttribute("lr", .double(0.05), at: "/g/w")
        try file.setAttribute("shape", .ints([16, 3, 3, 3]), at: "/g/w")
        try file.setAttribute("alphas", .doubles([-1, 0, 0.5]), at: "/g/w")
        try file.setAttribute("none", .ints([]), at: "/g/w")
        try file.setAttribute("seed", .int(7), at: "/g")  // replaces
        try file.close()

        let reopened = try HDF5File.open(path)
        XCTAssertEqual(try reopened.attribute("title"), .string("batch-size study ✓"))
        XCTAssertEqual(try reopened.attribute("empty"), .string(""))
        XCTAssertEqual(try reopened.attribute("seed", at: "g"), .int(7))
        XCTAssertEqual(try reopened.attributes(at: "/g/w"),
                       ["lr": .double(0.05), "shape": .ints([16, 3, 3, 3]), "alphas": .doubles([-1, 0, 0.5]), "none": .ints([])])
        XCTAssertEqual(try reopened.attributeNames(at: "/g/w"), ["alphas", "lr", "none", "shape"])
    }

    /// Hard links can form a cycle (a group holding a link to its parent): listing ends, each group
    /// entered once (the store fuzz target found the endless recursion and its stack overflow).
    func testListingAFileWhoseGroupsFormACycleEnds() throws {
        let path = try makeTempDirectory(self).appendingPathComponent("cycle.h5").path
        let file = try HDF5File.create(path)
        try file.write("/a/x", HDF5Array<Double>(shape: [2], values: [1, 2]))
        XCTAssertGreaterThanOrEqual(H5Lcreate_hard(file.id, "/", file.id, "/a/up", hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)), 0)
        try file.close()
        let back = try HDF5File.open(path)
        XCTAssertEqual(try back.entries().map(\.path), ["/a", "/a/up", "/a/x"])
        XCTAssertEqual(try back.datasetPaths(), ["/a/x"])
    }

    func testReadsVariableLengthStringAttributesWrittenByOtherTools() throws {
        // h5py writes str attributes as variable-length strings; make one with the C API.
        let path = try makeTempDirectory(self).appendingPathComponent("vlen.h5").path
        let file = try HDF5File.create(path)
        let type = H5Tcopy(bl_c_s1())
        H5Tset_size(type, bl_t_variable())
        let space = H5Screate(H5S_SCALAR)
        let attr = H5Acreate2(file.id, "note", type, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
        XCTAssertGreaterThanOrEqual(attr, 0)
        "written by h5py".withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            XCTAssertGreaterThanOrEqual(H5Awrite(attr, type, &pointer), 0)
        }
        H5Aclose(attr); H5Sclose(space); H5Tclose(type)
        XCTAssertEqual(try file.attribute("note"), .string("written by h5py"))
    }

    func testErrorsNameFileAndObjectAndSayWhatToDo() throws {
        let dir = try makeTempDirectory(self)
        let path = dir.appendingPathComponent("e.h5").path
        let file = try HDF5File.create(path)
        try file.write("/w", HDF5Array<Float>(shape: [1], values: [1]))

        XCTAssertThrowsError(try file.read("/missing", as: Float.self)) { error in
            XCTAssertEqual(error as? HDF5Error, .notFound(file: path, object: "/missing"))
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("/missing") && "\(error)".contains("Hint"))
        }
        XCTAssertThrowsError(try file.read("/w", as: Double.self)) { error in
            XCTAssertEqual(error as? HDF5Error, .typeMismatch(file: path, object: "/w", stored: "float32", requested: "float64"))
        }
        XCTAssertThrowsError(try file.write("/w", HDF5Array<Float>(shape: [1], values: [2]))) { error in
            XCTAssertEqual(error as? HDF5Error, .alreadyExists(file: path, object: "/w"))
        }
        XCTAssertThrowsError(try file.createGroup("/w/sub")) { error in
            XCTAssertEqual(error as? HDF5Error, .wrongKind(file: path, object: "/w", expected: "group", found: "dataset"))
        }
        let garbage = dir.appendingPathComponent("not.h5").path
        try Data("not an hdf5 file".utf8).write(to: URL(fileURLWithPath: garbage))
        XCTAssertFalse(HDF5File.isHDF5(garbage))
        XCTAssertThrowsError(try HDF5File.open(garbage)) { error in
            guard case let .failed(operation, file, _, detail, hint)? = error as? HDF5Error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(operation, "open the file")
            XCTAssertEqual(file, garbage)
            XCTAssertFalse(detail.isEmpty, "HDF5's own reason should be in the error")
            XCTAssertTrue(hint.contains("h5dump"))
        }
        XCTAssertThrowsError(try HDF5File.create(dir.appendingPathComponent("no/such/dir.h5").path)) { error in
            XCTAssertTrue("\(error)".contains("no/such/dir.h5"), "\(error)")
        }
        try file.close()
        XCTAssertThrowsError(try file.read("/w", as: Float.self)) { error in
            XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        }
    }

    func testErrorStackIsNotPrintedToStderr() throws {
        // Run a failing open in a child process and check that its stderr stays empty.
        let dir = try makeTempDirectory(self)
        let garbage = dir.appendingPathComponent("bad.h5")
        try Data("garbage".utf8).write(to: garbage)
        let saved = dup(STDERR_FILENO)
        let capture = dir.appendingPathComponent("stderr.txt").path
        let fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        dup2(fd, STDERR_FILENO)
        let result = Result { try HDF5File.open(garbage.path) }
        // Also from another thread: HDF5's error settings are per thread in the thread-safe build.
        let thread = Thread { _ = try? HDF5File.open(garbage.path) }
        thread.start()
        while !thread.isFinished { usleep(1000) }
        fflush(nil)
        dup2(saved, STDERR_FILENO)
        close(fd)
        close(saved)
        if case .success = result { XCTFail("opening garbage must fail") }
        let text = try String(contentsOfFile: capture, encoding: .utf8)
        XCTAssertEqual(text, "", "HDF5 printed its error stack: \(text)")
    }
}
