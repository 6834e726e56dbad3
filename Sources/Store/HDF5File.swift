// An HDF5 file opened for writing or reading: creation with deterministic bytes, groups, and listing.
// Datasets, row writers and attributes are in their own files (extensions of HDF5File).
import CHDF5

/// One open HDF5 file. Objects are addressed by path ("/weights", "grid/loss").
///
/// Files are byte-deterministic: object time tracking is off on the file's creation property list
/// (which covers the root group) and on every group and dataset this type creates, so the same
/// writes in the same order give the same bytes and hence the same content hash.
public final class HDF5File {
    public enum Mode: Sendable { case readOnly, readWrite }

    /// The file's path as given (used in every error message).
    public let path: String
    public let mode: Mode
    let id: hid_t
    private var isOpen = true

    private init(path: String, id: hid_t, mode: Mode) {
        self.path = path
        self.id = id
        self.mode = mode
    }

    /// Creates (or truncates) the file at `path` for writing.
    public static func create(_ path: String) throws -> HDF5File {
        HDF5Library.silence()
        let site = HDF5Site(file: path, object: "/")
        let fcpl = try site.check(H5Pcreate(bl_p_file_create()), "make a file creation property list for")
        defer { H5Pclose(fcpl) }
        // Without this the root group carries its creation time and identical content hashes differently.
        try site.check(H5Pset_obj_track_times(fcpl, false), "turn off time tracking for")
        let fapl = try fileAccessList(site)
        defer { H5Pclose(fapl) }
        let id = try site.check(H5Fcreate(path, bl_acc_trunc(), fcpl, fapl), "create the file",
                                hint: "check that the directory exists and is writable, and that no process holds the file open")
        return HDF5File(path: path, id: id, mode: .readWrite)
    }

    /// Opens an existing file.
    public static func open(_ path: String, mode: Mode = .readOnly) throws -> HDF5File {
        HDF5Library.silence()
        let site = HDF5Site(file: path, object: "/")
        let fapl = try fileAccessList(site)
        defer { H5Pclose(fapl) }
        let flags = mode == .readOnly ? bl_acc_rdonly() : bl_acc_rdwr()
        let id = try site.check(H5Fopen(path, flags, fapl), "open the file",
                                hint: "check that the file exists, is an HDF5 file (`h5dump -H \(path)`), and that no other process has it open for writing")
        return HDF5File(path: path, id: id, mode: mode)
    }

    /// True when `path` is a readable HDF5 file (checks the signature; never throws).
    public static func isHDF5(_ path: String) -> Bool {
        HDF5Library.silence()
        return H5Fis_hdf5(path) > 0
    }

    /// "Strong" close degree: closing the file closes every object still open in it, so `close()`
    /// really finishes the file even if a forgotten handle lingers (later use of it then throws).
    private static func fileAccessList(_ site: HDF5Site) throws -> hid_t {
        let fapl = try site.check(H5Pcreate(bl_p_file_access()), "make a file access property list for")
        try site.check(H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG), "set the close degree of")
        return fapl
    }

    /// Flushes and closes the file; further use throws. Closing twice is a no-op.
    public func close() throws {
        guard isOpen else { return }
        isOpen = false
        HDF5Library.silence()
        try site("/").check(H5Fclose(id), "close the file", hint: "the disk may be full; check free space")
    }

    /// Writes buffered data to disk without closing.
    public func flush() throws {
        HDF5Library.silence()
        try site("/").check(H5Fflush(id, H5F_SCOPE_LOCAL), "flush the file", hint: "the disk may be full; check free space")
    }

    deinit {
        if isOpen { H5Fclose(id) }
    }

    func site(_ object: String) -> HDF5Site { HDF5Site(file: path, object: object) }

    func requireOpen(_ object: String) throws {
        if !isOpen {
            throw HDF5Error.failed(operation: "use", file: path, object: object, detail: "the file is closed",
                                   hint: "keep the HDF5File open until all reads and writes are done")
        }
    }

    // MARK: - Groups

    /// Creates the group at `path` and any missing parents (each with time tracking off). Existing groups are kept.
    public func createGroup(_ path: String) throws {
        HDF5Library.silence()
        let target = normalizedPath(path)
        try requireOpen(target)
        var current = ""
        for part in target.split(separator: "/") {
            current += "/" + part
            switch try kind(of: current) {
            case .group?: continue
            case .dataset?: throw HDF5Error.wrongKind(file: self.path, object: current, expected: "group", found: "dataset")
            case nil:
                let site = site(current)
                let gcpl = try site.check(H5Pcreate(bl_p_group_create()), "make a group creation property list for")
                defer { H5Pclose(gcpl) }
                try site.check(H5Pset_obj_track_times(gcpl, false), "turn off time tracking for")
                let group = try site.check(H5Gcreate2(id, current, hid_t(H5P_DEFAULT), gcpl, hid_t(H5P_DEFAULT)), "create the group")
                H5Gclose(group)
            }
        }
    }

    /// Creates the parent groups of an object path (so "/a/b/c" gets "/a" and "/a/b").
    func createParents(of path: String) throws {
        let parts = normalizedPath(path).split(separator: "/")
        if parts.count > 1 { try createGroup("/" + parts.dropLast().joined(separator: "/")) }
    }

    // MARK: - Listing

    /// Whether an object (group or dataset) exists at `path`.
    public func exists(_ path: String) throws -> Bool {
        HDF5Library.silence()
        return try kind(of: normalizedPath(path)) != nil
    }

    /// The kind of object at a normalised path, or nil when nothing is there.
    func kind(of path: String) throws -> HDF5Entry.Kind? {
        try requireOpen(path)
        if path == "/" { return .group }
        // H5Lexists fails when a parent is missing, so walk down one link at a time.
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            guard H5Lexists(id, current, hid_t(H5P_DEFAULT)) > 0 else { return nil }
        }
        let object = H5Oopen(id, path, hid_t(H5P_DEFAULT))
        guard object >= 0 else { return nil }  // a dangling soft or external link
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return nil  // named datatypes: not something BatchLab writes or compares
        }
    }

    /// Every group and dataset below `path` (default: the whole file), depth first, sorted by name.
    /// A group reached a second time (hard links can form a cycle: a group holding a link to its
    /// parent) is listed but not entered again; the store fuzz target's files once recursed forever here.
    public func entries(under path: String = "/") throws -> [HDF5Entry] {
        HDF5Library.silence()
        let start = normalizedPath(path)
        guard try kind(of: start) == .group else {
            throw HDF5Error.wrongKind(file: self.path, object: start, expected: "group", found: "missing object or dataset")
        }
        var visited: Set<haddr_t> = [try address(of: start)]
        return try entries(under: start, depth: 1, visited: &visited)
    }

    /// Groups nested deeper than this are refused: a damaged file can claim any structure.
    static let maxGroupDepth = 256

    private func entries(under start: String, depth: Int, visited: inout Set<haddr_t>) throws -> [HDF5Entry] {
        guard depth <= Self.maxGroupDepth else {
            throw HDF5Error.failed(operation: "list", file: path, object: start, detail: "groups nested deeper than \(Self.maxGroupDepth)",
                                   hint: "the file is damaged or not one BatchLab wrote")
        }
        var result: [HDF5Entry] = []
        for name in try linkNames(in: start) {
            let child = start == "/" ? "/" + name : start + "/" + name
            switch try kind(of: child) {
            case .group?:
                result.append(HDF5Entry(path: child, kind: .group))
                if visited.insert(try address(of: child)).inserted {
                    result += try entries(under: child, depth: depth + 1, visited: &visited)
                }
            case .dataset?:
                result.append(HDF5Entry(path: child, kind: .dataset))
            case nil:
                continue
            }
        }
        return result
    }

    /// The object's address in the file: the same object reached by two paths has one address.
    private func address(of object: String) throws -> haddr_t {
        var info = H5O_info_t()
        try site(object).check(H5Oget_info_by_name2(id, object, &info, UInt32(H5O_INFO_BASIC), hid_t(H5P_DEFAULT)),
                               "read the object header of")
        return info.addr
    }

    /// Paths of every dataset in the file, sorted.
    public func datasetPaths() throws -> [String] {
        try entries().filter { $0.kind == .dataset }.map(\.path)
    }

    /// Names of the hard links in one group, in name order.
    private func linkNames(in group: String) throws -> [String] {
        final class Box { var names: [String] = [] }
        let box = Box()
        let site = site(group)
        let gid = try site.check(H5Gopen2(id, group, hid_t(H5P_DEFAULT)), "open the group")
        defer { H5Gclose(gid) }
        let visit: H5L_iterate_t = { _, name, info, data in
            guard let name, let info, let data, info.pointee.type == H5L_TYPE_HARD else { return 0 }
            Unmanaged<Box>.fromOpaque(data).takeUnretainedValue().names.append(String(cString: name))
            return 0
        }
        _ = try withExtendedLifetime(box) {
            try site.check(H5Literate(gid, H5_INDEX_NAME, H5_ITER_INC, nil, visit, Unmanaged.passUnretained(box).toOpaque()),
                           "list the group")
        }
        return box.names
    }
}

/// One object found by `HDF5File.entries()`.
public struct HDF5Entry: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable { case group, dataset }
    public let path: String
    public let kind: Kind
}
