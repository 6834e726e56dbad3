// Typed whole-array and row-range reads and writes of datasets, and what a dataset holds (shape, type, layout).
import CHDF5

/// Shape, type and layout of a stored dataset.
public struct HDF5DatasetInfo: Sendable, Equatable, Codable {
    public let path: String
    public let shape: [Int]
    /// nil when the stored type is outside BatchLab's closed set; `typeName` still says what it is.
    public let dtype: HDF5DType?
    public let typeName: String
    /// The first axis can grow (written by `HDF5RowWriter`).
    public let isExtendable: Bool
    public let chunkShape: [Int]?
    /// Filters in pipeline order, e.g. ["shuffle", "deflate"].
    public let filters: [String]

    public var count: Int { shape.reduce(1, *) }
}

extension HDF5File {
    // MARK: - Writing

    /// Writes a new dataset at `path` (parents are created). Writing an existing path throws.
    public func write<T: HDF5Element>(_ path: String, _ array: HDF5Array<T>, storage: HDF5Storage = .automatic) throws {
        try array.values.withUnsafeBufferPointer { try write(path, shape: array.shape, values: $0, storage: storage) }
    }

    /// Writes a new dataset from a flat row-major buffer (for callers that own their storage, e.g. tensors).
    public func write<T: HDF5Element>(_ path: String, shape: [Int], values: UnsafeBufferPointer<T>,
                                      storage: HDF5Storage = .automatic) throws {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count,
                     "shape \(shape) does not match \(values.count) values for \(path)")
        HDF5Library.silence()
        let path = normalizedPath(path)
        let site = site(path)
        try requireOpen(path)
        guard try kind(of: path) == nil else { throw HDF5Error.alreadyExists(file: self.path, object: path) }
        try createParents(of: path)
        let space = try makeSpace(site, shape: shape, maxShape: nil)
        defer { H5Sclose(space) }
        let dcpl = try datasetCreationList(site, shape: shape, dtype: T.hdf5Type, storage: storage, extendable: false)
        defer { H5Pclose(dcpl) }
        let ds = try site.check(H5Dcreate2(id, path, T.hdf5Type.fileType, space, hid_t(H5P_DEFAULT), dcpl, hid_t(H5P_DEFAULT)),
                                "create the dataset", hint: "the disk may be full or the file read-only")
        defer { H5Dclose(ds) }
        if values.count > 0 {
            try site.check(H5Dwrite(ds, T.hdf5Type.nativeType, bl_s_all(), bl_s_all(), hid_t(H5P_DEFAULT), values.baseAddress),
                           "write the dataset", hint: "the disk may be full; check free space")
        }
    }

    /// A dataspace of `shape` (scalar for []); `maxShape` nil entries are unlimited.
    func makeSpace(_ site: HDF5Site, shape: [Int], maxShape: [Int?]?) throws -> hid_t {
        if shape.isEmpty { return try site.check(H5Screate(H5S_SCALAR), "make a scalar dataspace for") }
        let dims = shape.map { hsize_t($0) }
        guard let maxShape else {
            return try site.check(H5Screate_simple(Int32(dims.count), dims, nil), "make a dataspace for")
        }
        let maxDims = maxShape.map { $0.map { hsize_t($0) } ?? bl_s_unlimited() }
        return try site.check(H5Screate_simple(Int32(dims.count), dims, maxDims), "make a dataspace for")
    }

    // MARK: - Reading

    /// Reads a whole dataset; its stored type must be `T`'s (no silent conversion).
    public func read<T: HDF5Element>(_ path: String, as type: T.Type = T.self) throws -> HDF5Array<T> {
        try withDataset(path) { ds, site in
            try checkType(ds, site, T.hdf5Type)
            let shape = try extent(ds, site)
            let values = try readSelection(ds, site, shape: shape, rows: nil, memType: T.hdf5Type.nativeType, as: T.self)
            return HDF5Array(shape: shape, values: values)
        }
    }

    /// Reads rows `rows` of the first axis (shape [rows.count] + trailing axes): for batches of a large dataset.
    public func readRows<T: HDF5Element>(_ path: String, _ rows: Range<Int>, as type: T.Type = T.self) throws -> HDF5Array<T> {
        try withDataset(path) { ds, site in
            try checkType(ds, site, T.hdf5Type)
            let shape = try extent(ds, site)
            precondition(!shape.isEmpty, "readRows needs a dataset of rank ≥ 1 (\(path) is a scalar)")
            precondition(rows.lowerBound >= 0 && rows.upperBound <= shape[0], "rows \(rows) outside 0..<\(shape[0]) of \(path)")
            let values = try readSelection(ds, site, shape: shape, rows: rows, memType: T.hdf5Type.nativeType, as: T.self)
            return HDF5Array(shape: [rows.count] + shape.dropFirst(), values: values)
        }
    }

    /// Reads any integer or float dataset converted to Double (for comparisons), optionally a row range.
    public func readAsDouble(_ path: String, rows: Range<Int>? = nil) throws -> [Double] {
        try withDataset(path) { ds, site in
            let type = try site.check(H5Dget_type(ds), "read the type of")
            defer { H5Tclose(type) }
            guard HDF5DType.isNumeric(type) else {
                throw HDF5Error.unsupportedType(file: self.path, object: site.object, type: HDF5DType.describe(type))
            }
            let shape = try extent(ds, site)
            return try readSelection(ds, site, shape: shape, rows: rows, memType: bl_native_double(), as: Double.self)
        }
    }

    /// Shape, type and layout of the dataset at `path`.
    public func info(_ path: String) throws -> HDF5DatasetInfo {
        try withDataset(path) { ds, site in
            let type = try site.check(H5Dget_type(ds), "read the type of")
            defer { H5Tclose(type) }
            let shape = try extent(ds, site)
            let space = try site.check(H5Dget_space(ds), "read the dataspace of")
            defer { H5Sclose(space) }
            var maxDims = [hsize_t](repeating: 0, count: max(shape.count, 1))
            if !shape.isEmpty { try site.check(H5Sget_simple_extent_dims(space, nil, &maxDims), "read the extent of") }
            let dcpl = try site.check(H5Dget_create_plist(ds), "read the creation properties of")
            defer { H5Pclose(dcpl) }
            var chunk: [Int]?
            if H5Pget_layout(dcpl) == H5D_CHUNKED {
                var dims = [hsize_t](repeating: 0, count: shape.count)
                try site.check(H5Pget_chunk(dcpl, Int32(shape.count), &dims), "read the chunk shape of")
                chunk = dims.map { Int($0) }
            }
            var filters: [String] = []
            for index in 0..<max(H5Pget_nfilters(dcpl), 0) {
                var flags: UInt32 = 0
                var nValues = 0
                var name = [CChar](repeating: 0, count: 64)
                var config: UInt32 = 0
                let filter = H5Pget_filter2(dcpl, UInt32(index), &flags, &nValues, nil, name.count, &name, &config)
                filters.append(filter == H5Z_FILTER_SHUFFLE ? "shuffle" : filter == H5Z_FILTER_DEFLATE ? "deflate"
                               : String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return HDF5DatasetInfo(path: site.object, shape: shape, dtype: HDF5DType.classify(type),
                                   typeName: HDF5DType.describe(type),
                                   isExtendable: !shape.isEmpty && maxDims[0] == bl_s_unlimited(),
                                   chunkShape: chunk, filters: filters)
        }
    }

    // MARK: - Helpers

    /// Opens the dataset at `path` for the duration of `body`, with clear errors for missing or wrong objects.
    func withDataset<R>(_ path: String, _ body: (hid_t, HDF5Site) throws -> R) throws -> R {
        HDF5Library.silence()
        let path = normalizedPath(path)
        let site = site(path)
        switch try kind(of: path) {
        case nil: throw site.notFound()
        case .group?: throw HDF5Error.wrongKind(file: self.path, object: path, expected: "dataset", found: "group")
        case .dataset?: break
        }
        let ds = try site.check(H5Dopen2(id, path, hid_t(H5P_DEFAULT)), "open the dataset")
        defer { H5Dclose(ds) }
        return try body(ds, site)
    }

    func checkType(_ ds: hid_t, _ site: HDF5Site, _ wanted: HDF5DType) throws {
        let type = try site.check(H5Dget_type(ds), "read the type of")
        defer { H5Tclose(type) }
        guard HDF5DType.classify(type) == wanted else {
            throw HDF5Error.typeMismatch(file: path, object: site.object, stored: HDF5DType.describe(type), requested: wanted.rawValue)
        }
    }

    /// The current shape of an open dataset ([] for a scalar).
    func extent(_ ds: hid_t, _ site: HDF5Site) throws -> [Int] {
        let space = try site.check(H5Dget_space(ds), "read the dataspace of")
        defer { H5Sclose(space) }
        let rank = Int(try site.check(H5Sget_simple_extent_ndims(space), "read the rank of"))
        var dims = [hsize_t](repeating: 0, count: rank)
        if rank > 0 { try site.check(H5Sget_simple_extent_dims(space, &dims, nil), "read the extent of") }
        return dims.map { Int($0) }
    }

    /// Reads the whole dataset or a row range of its first axis into a new array, converting to `memType`.
    func readSelection<T>(_ ds: hid_t, _ site: HDF5Site, shape: [Int], rows: Range<Int>?, memType: hid_t,
                          as: T.Type) throws -> [T] {
        let rowSize = shape.dropFirst().reduce(1, *)
        let count = rows.map { $0.count * rowSize } ?? shape.reduce(1, *)
        if count == 0 { return [] }
        var fileSpace = bl_s_all()
        var memSpace = bl_s_all()
        if let rows {
            fileSpace = try site.check(H5Dget_space(ds), "read the dataspace of")
            var start = [hsize_t](repeating: 0, count: shape.count)
            start[0] = hsize_t(rows.lowerBound)
            var counts = shape.map { hsize_t($0) }
            counts[0] = hsize_t(rows.count)
            try site.check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, counts, nil), "select rows of")
            memSpace = try site.check(H5Screate_simple(Int32(counts.count), counts, nil), "make a dataspace for")
        }
        defer {
            if rows != nil { H5Sclose(fileSpace); H5Sclose(memSpace) }
        }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try site.check(H5Dread(ds, memType, memSpace, fileSpace, hid_t(H5P_DEFAULT), buffer.baseAddress),
                           "read the dataset", hint: "the file may be truncated or corrupted; `batchlab verify` checks objects")
            initialized = count
        }
    }
}
