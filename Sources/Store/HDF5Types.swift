// The element types BatchLab stores in HDF5 and the shaped array value that reads and writes use.
import CHDF5

/// The closed set of element types BatchLab writes: stored little-endian whatever the CPU.
public enum HDF5DType: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case float32, float64, int32, int64, uint8

    public var description: String { rawValue }

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .uint8: return 1
        }
    }

    /// The in-memory type id used for H5Dread/H5Dwrite.
    var nativeType: hid_t {
        switch self {
        case .float32: return bl_native_float()
        case .float64: return bl_native_double()
        case .int32: return bl_native_int32()
        case .int64: return bl_native_int64()
        case .uint8: return bl_native_uint8()
        }
    }

    /// The on-disk type id: fixed little-endian so the bytes are the same on any writer.
    var fileType: hid_t {
        switch self {
        case .float32: return bl_ieee_f32le()
        case .float64: return bl_ieee_f64le()
        case .int32: return bl_std_i32le()
        case .int64: return bl_std_i64le()
        case .uint8: return bl_std_u8le()
        }
    }

    /// Classifies a stored datatype; nil for anything outside the closed set.
    static func classify(_ type: hid_t) -> HDF5DType? {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            return size == 4 ? .float32 : size == 8 ? .float64 : nil
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch (size, signed) {
            case (4, true): return .int32
            case (8, true): return .int64
            case (1, false): return .uint8
            default: return nil
            }
        default:
            return nil
        }
    }

    /// A readable name for any stored datatype ("int16", "string", "compound"), for messages and diffs.
    static func describe(_ type: hid_t) -> String {
        if let known = classify(type) { return known.rawValue }
        let bits = H5Tget_size(type) * 8
        switch H5Tget_class(type) {
        case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_2 ? "int" : "uint") + "\(bits)"
        case H5T_FLOAT: return "float\(bits)"
        case H5T_STRING: return "string"
        case H5T_COMPOUND: return "compound"
        case H5T_ENUM: return "enum"
        case H5T_ARRAY: return "array"
        case H5T_VLEN: return "vlen"
        case H5T_OPAQUE: return "opaque"
        case H5T_BITFIELD: return "bitfield"
        case H5T_REFERENCE: return "reference"
        default: return "unknown"
        }
    }

    /// True for integer and float classes of any size: those HDF5 can convert to double for comparison.
    static func isNumeric(_ type: hid_t) -> Bool {
        let cls = H5Tget_class(type)
        return cls == H5T_INTEGER || cls == H5T_FLOAT
    }
}

/// A Swift scalar type that maps to one `HDF5DType`.
public protocol HDF5Element: BitwiseCopyable, Sendable, Equatable {
    static var hdf5Type: HDF5DType { get }
}

extension Float: HDF5Element { public static var hdf5Type: HDF5DType { .float32 } }
extension Double: HDF5Element { public static var hdf5Type: HDF5DType { .float64 } }
extension Int32: HDF5Element { public static var hdf5Type: HDF5DType { .int32 } }
extension Int64: HDF5Element { public static var hdf5Type: HDF5DType { .int64 } }
extension UInt8: HDF5Element { public static var hdf5Type: HDF5DType { .uint8 } }

/// A shaped array: `shape` (row-major, C order) and the flat `values`; shape [] is a scalar.
public struct HDF5Array<Element: HDF5Element>: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Element]

    public init(shape: [Int], values: [Element]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == values.count,
                     "shape \(shape) holds \(shape.reduce(1, *)) elements, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// A scalar (rank-0) array.
    public init(scalar: Element) { self.init(shape: [], values: [scalar]) }
}

/// Normalises "a/b" and "/a/b/" to "/a/b"; "" and "/" are the root group.
func normalizedPath(_ path: String) -> String {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true)
    return "/" + parts.joined(separator: "/")
}
