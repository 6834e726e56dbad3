// String and number attributes (scalars and small arrays) on the file's root, groups and datasets.
import CHDF5

/// An attribute value. Scalars are stored with a scalar dataspace, arrays as rank-1; strings are UTF-8.
public enum HDF5AttributeValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case ints([Int64])
    case doubles([Double])

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .int(let v): return "\(v)"
        case .double(let v): return "\(v)"
        case .ints(let v): return "[" + v.map(String.init).joined(separator: ", ") + "]"
        case .doubles(let v): return "[" + v.map { "\($0)" }.joined(separator: ", ") + "]"
        }
    }
}

extension HDF5File {
    /// Sets (or replaces) attribute `name` on the object at `object` (a group or dataset; "/" is the file).
    public func setAttribute(_ name: String, _ value: HDF5AttributeValue, at object: String = "/") throws {
        try withObject(object) { obj, site in
            if H5Aexists(obj, name) > 0 { try site.check(H5Adelete(obj, name), "replace attribute '\(name)' of") }
            switch value {
            case .string(let text):
                let type = try site.check(H5Tcopy(bl_c_s1()), "make a string type for")
                defer { H5Tclose(type) }
                let bytes = Array(text.utf8) + [0]
                try site.check(H5Tset_size(type, bytes.count), "size the string type for")
                try site.check(H5Tset_strpad(type, H5T_STR_NULLTERM), "set string padding for")
                try site.check(H5Tset_cset(type, H5T_CSET_UTF8), "set UTF-8 for")
                try writeAttribute(obj, site, name, fileType: type, memType: type, shape: nil, bytes)
            case .int(let v):
                try writeAttribute(obj, site, name, fileType: bl_std_i64le(), memType: bl_native_int64(), shape: nil, [v])
            case .double(let v):
                try writeAttribute(obj, site, name, fileType: bl_ieee_f64le(), memType: bl_native_double(), shape: nil, [v])
            case .ints(let v):
                try writeAttribute(obj, site, name, fileType: bl_std_i64le(), memType: bl_native_int64(), shape: v.count, v)
            case .doubles(let v):
                try writeAttribute(obj, site, name, fileType: bl_ieee_f64le(), memType: bl_native_double(), shape: v.count, v)
            }
        }
    }

    /// Reads attribute `name` of the object at `object`.
    public func attribute(_ name: String, at object: String = "/") throws -> HDF5AttributeValue {
        try withObject(object) { obj, site in
            guard H5Aexists(obj, name) > 0 else { throw HDF5Error.notFound(file: path, object: "\(site.object)@\(name)") }
            let attr = try site.check(H5Aopen(obj, name, hid_t(H5P_DEFAULT)), "open attribute '\(name)' of")
            defer { H5Aclose(attr) }
            return try readAttribute(attr, HDF5Site(file: path, object: "\(site.object)@\(name)"))
        }
    }

    /// Names of the attributes on the object at `object`, sorted.
    public func attributeNames(at object: String = "/") throws -> [String] {
        final class Box { var names: [String] = [] }
        return try withObject(object) { obj, site in
            let box = Box()
            let visit: H5A_operator2_t = { _, name, _, data in
                guard let name, let data else { return 0 }
                Unmanaged<Box>.fromOpaque(data).takeUnretainedValue().names.append(String(cString: name))
                return 0
            }
            _ = try withExtendedLifetime(box) {
                try site.check(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nil, visit, Unmanaged.passUnretained(box).toOpaque()),
                               "list the attributes of")
            }
            return box.names
        }
    }

    /// All attributes of the object at `object`.
    public func attributes(at object: String = "/") throws -> [String: HDF5AttributeValue] {
        var result: [String: HDF5AttributeValue] = [:]
        for name in try attributeNames(at: object) { result[name] = try attribute(name, at: object) }
        return result
    }

    // MARK: - Helpers

    /// Opens the group or dataset at `object` for the duration of `body`.
    func withObject<R>(_ object: String, _ body: (hid_t, HDF5Site) throws -> R) throws -> R {
        HDF5Library.silence()
        let path = normalizedPath(object)
        let site = site(path)
        guard try kind(of: path) != nil else { throw site.notFound() }
        let obj = try site.check(H5Oopen(id, path, hid_t(H5P_DEFAULT)), "open the object")
        defer { H5Oclose(obj) }
        return try body(obj, site)
    }

    /// Writes one attribute: a scalar when `shape` is nil, otherwise a rank-1 array (empty: a null dataspace).
    private func writeAttribute<T>(_ obj: hid_t, _ site: HDF5Site, _ name: String, fileType: hid_t, memType: hid_t,
                                   shape: Int?, _ values: [T]) throws {
        let space: hid_t
        if let count = shape {
            space = count == 0 ? try site.check(H5Screate(H5S_NULL), "make a dataspace for")
                : try site.check(H5Screate_simple(1, [hsize_t(count)], nil), "make a dataspace for")
        } else {
            space = try site.check(H5Screate(H5S_SCALAR), "make a dataspace for")
        }
        defer { H5Sclose(space) }
        let attr = try site.check(H5Acreate2(obj, name, fileType, space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)),
                                  "create attribute '\(name)' on", hint: "the file may be read-only or the disk full")
        defer { H5Aclose(attr) }
        if shape != 0 {
            _ = try values.withUnsafeBufferPointer { buffer in
                try site.check(H5Awrite(attr, memType, buffer.baseAddress), "write attribute '\(name)' of")
            }
        }
    }

    private func readAttribute(_ attr: hid_t, _ site: HDF5Site) throws -> HDF5AttributeValue {
        let type = try site.check(H5Aget_type(attr), "read the type of")
        defer { H5Tclose(type) }
        let space = try site.check(H5Aget_space(attr), "read the dataspace of")
        defer { H5Sclose(space) }
        let isArray = H5Sget_simple_extent_type(space) != H5S_SCALAR
        let count = Int(max(H5Sget_simple_extent_npoints(space), 0))
        switch H5Tget_class(type) {
        case H5T_STRING:
            guard !isArray else { throw HDF5Error.unsupportedType(file: path, object: site.object, type: "string array") }
            return .string(try readString(attr, type, space, site))
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: count)
            if count > 0 { try site.check(H5Aread(attr, bl_native_int64(), &values), "read") }
            return isArray ? .ints(values) : .int(values.first ?? 0)
        case H5T_FLOAT:
            var values = [Double](repeating: 0, count: count)
            if count > 0 { try site.check(H5Aread(attr, bl_native_double(), &values), "read") }
            return isArray ? .doubles(values) : .double(values.first ?? 0)
        default:
            throw HDF5Error.unsupportedType(file: path, object: site.object, type: HDF5DType.describe(type))
        }
    }

    /// Reads a scalar string attribute, fixed-length (ours) or variable-length (h5py's default).
    private func readString(_ attr: hid_t, _ type: hid_t, _ space: hid_t, _ site: HDF5Site) throws -> String {
        if H5Tis_variable_str(type) > 0 {
            let memType = try site.check(H5Tcopy(bl_c_s1()), "make a string type for")
            defer { H5Tclose(memType) }
            try site.check(H5Tset_size(memType, bl_t_variable()), "size the string type for")
            try site.check(H5Tset_cset(memType, H5Tget_cset(type)), "set the character set for")
            var pointer: UnsafeMutablePointer<CChar>? = nil
            try site.check(H5Aread(attr, memType, &pointer), "read")
            defer { H5Dvlen_reclaim(memType, space, hid_t(H5P_DEFAULT), &pointer) }
            return pointer.map { String(cString: $0) } ?? ""
        }
        let size = H5Tget_size(type)
        var bytes = [UInt8](repeating: 0, count: size + 1)
        try site.check(H5Aread(attr, type, &bytes), "read")
        var used = bytes.prefix(size).prefix { $0 != 0 }
        if H5Tget_strpad(type) == H5T_STR_SPACEPAD {
            while used.last == UInt8(ascii: " ") { used = used.dropLast() }
        }
        return String(decoding: used, as: UTF8.self)
    }
}
