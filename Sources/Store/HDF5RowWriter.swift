// A chunked dataset that grows along its first axis: streaming writers (N images, one at a time)
// and resumable grids (reopen, read `rowCount`, continue) append rows without holding them all.
import CHDF5

/// Appends rows to an extendable dataset of shape (rows, rowShape…).
/// Keeps its file open (a strong reference); `close()` or deinit closes the dataset, not the file.
public final class HDF5RowWriter<Element: HDF5Element> {
    public let file: HDF5File
    public let path: String
    /// Shape of one row (the trailing axes); [] for a 1-D dataset of scalars.
    public let rowShape: [Int]
    /// Rows written so far (including those found when reopening).
    public private(set) var rowCount: Int
    private let id: hid_t
    private var isOpen = true

    fileprivate init(file: HDF5File, path: String, rowShape: [Int], rowCount: Int, id: hid_t) {
        self.file = file
        self.path = path
        self.rowShape = rowShape
        self.rowCount = rowCount
        self.id = id
    }

    /// Elements per row.
    public var rowSize: Int { rowShape.reduce(1, *) }

    /// Appends `values.count / rowSize` whole rows.
    public func append(_ values: [Element]) throws {
        try values.withUnsafeBufferPointer { try append($0) }
    }

    /// Appends whole rows from a flat buffer (row-major).
    public func append(_ values: UnsafeBufferPointer<Element>) throws {
        precondition(rowSize == 0 ? values.isEmpty : values.count % rowSize == 0,
                     "\(values.count) values are not whole rows of shape \(rowShape) for \(path)")
        let newRows = rowSize == 0 ? 0 : values.count / rowSize
        guard newRows > 0 else { return }
        HDF5Library.silence()
        let site = file.site(path)
        try file.requireOpen(path)
        guard isOpen else {
            throw HDF5Error.failed(operation: "append to", file: file.path, object: path, detail: "the row writer is closed",
                                   hint: "append before calling close()")
        }
        let newShape = [rowCount + newRows] + rowShape
        try site.check(H5Dset_extent(id, newShape.map { hsize_t($0) }), "extend the dataset",
                       hint: "the disk may be full; check free space")
        let fileSpace = try site.check(H5Dget_space(id), "read the dataspace of")
        defer { H5Sclose(fileSpace) }
        var start = [hsize_t](repeating: 0, count: newShape.count)
        start[0] = hsize_t(rowCount)
        let counts = [hsize_t(newRows)] + rowShape.map { hsize_t($0) }
        try site.check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, counts, nil), "select new rows of")
        let memSpace = try site.check(H5Screate_simple(Int32(counts.count), counts, nil), "make a dataspace for")
        defer { H5Sclose(memSpace) }
        try site.check(H5Dwrite(id, Element.hdf5Type.nativeType, memSpace, fileSpace, hid_t(H5P_DEFAULT), values.baseAddress),
                       "append rows to", hint: "the disk may be full; check free space")
        rowCount += newRows
    }

    /// Closes the dataset (the file stays open). Closing twice is a no-op.
    public func close() throws {
        guard isOpen else { return }
        isOpen = false
        HDF5Library.silence()
        try file.site(path).check(H5Dclose(id), "close the dataset")
    }

    deinit {
        if isOpen { H5Dclose(id) }
    }
}

extension HDF5File {
    /// Creates an empty extendable dataset (0 rows of `rowShape`) and returns its writer.
    /// `chunkRows` nil picks about 1 MiB chunks; deflate and shuffle as in `HDF5Chunking`.
    public func createRowWriter<T: HDF5Element>(_ path: String, rowShape: [Int], as type: T.Type = T.self,
                                                chunkRows: Int? = nil, shuffle: Bool = true,
                                                deflateLevel: Int? = 4) throws -> HDF5RowWriter<T> {
        precondition(rowShape.allSatisfy { $0 > 0 }, "row shape \(rowShape) must have positive axes")
        HDF5Library.silence()
        let path = normalizedPath(path)
        let site = site(path)
        try requireOpen(path)
        guard try kind(of: path) == nil else { throw HDF5Error.alreadyExists(file: self.path, object: path) }
        try createParents(of: path)
        let rowBytes = rowShape.reduce(T.hdf5Type.size, *)
        let rows = chunkRows ?? max(1, (1 << 20) / rowBytes)
        precondition(rows > 0, "chunkRows must be positive")
        let chunking = HDF5Chunking(chunkShape: [rows] + rowShape, shuffle: shuffle, deflateLevel: deflateLevel)
        let space = try makeSpace(site, shape: [0] + rowShape, maxShape: [nil] + rowShape.map { Optional($0) })
        defer { H5Sclose(space) }
        let dcpl = try datasetCreationList(site, shape: [0] + rowShape, dtype: T.hdf5Type, storage: .chunked(chunking),
                                           extendable: true)
        defer { H5Pclose(dcpl) }
        let ds = try site.check(H5Dcreate2(id, path, T.hdf5Type.fileType, space, hid_t(H5P_DEFAULT), dcpl, hid_t(H5P_DEFAULT)),
                                "create the extendable dataset", hint: "the disk may be full or the file read-only")
        return HDF5RowWriter(file: self, path: path, rowShape: rowShape, rowCount: 0, id: ds)
    }

    /// Reopens an extendable dataset to append more rows (resuming a partly written grid).
    public func openRowWriter<T: HDF5Element>(_ path: String, as type: T.Type = T.self) throws -> HDF5RowWriter<T> {
        let info = try info(path)
        guard info.dtype == T.hdf5Type else {
            throw HDF5Error.typeMismatch(file: self.path, object: info.path, stored: info.typeName, requested: T.hdf5Type.rawValue)
        }
        guard info.isExtendable else {
            throw HDF5Error.shapeMismatch(file: self.path, object: info.path,
                                          detail: "its first axis is fixed; only datasets made by createRowWriter can grow")
        }
        guard mode == .readWrite else {
            throw HDF5Error.failed(operation: "append to", file: self.path, object: info.path, detail: "the file is open read-only",
                                   hint: "open it with HDF5File.open(path, mode: .readWrite)")
        }
        let site = site(info.path)
        let ds = try site.check(H5Dopen2(id, info.path, hid_t(H5P_DEFAULT)), "open the dataset")
        return HDF5RowWriter(file: self, path: info.path, rowShape: Array(info.shape.dropFirst()), rowCount: info.shape[0], id: ds)
    }
}
