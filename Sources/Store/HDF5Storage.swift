// How a dataset is laid out on disk: contiguous, or chunked with shuffle and deflate for large arrays.
import CHDF5

/// Layout of a dataset on disk. Any choice reads back the same values; it only changes size and speed.
public enum HDF5Storage: Sendable, Equatable {
    /// Contiguous below `HDF5Storage.automaticThreshold` bytes, otherwise `.chunked(.init())`.
    case automatic
    case contiguous
    case chunked(HDF5Chunking)

    /// Arrays at least this large (bytes) are chunked and compressed by `.automatic`.
    public static let automaticThreshold = 64 * 1024
}

/// Chunked layout with optional byte shuffle and deflate; both filters are deterministic.
public struct HDF5Chunking: Sendable, Equatable {
    /// Chunk shape (same rank as the dataset); nil picks about 1 MiB chunks, splitting the leading axes first.
    public var chunkShape: [Int]?
    /// Byte shuffle before deflate: groups the bytes of floats by significance, which compresses better.
    public var shuffle: Bool
    /// zlib level 1…9, or nil for no compression.
    public var deflateLevel: Int?

    public init(chunkShape: [Int]? = nil, shuffle: Bool = true, deflateLevel: Int? = 4) {
        precondition(deflateLevel.map { (1...9).contains($0) } ?? true, "deflate level must be 1…9")
        self.chunkShape = chunkShape
        self.shuffle = shuffle
        self.deflateLevel = deflateLevel
    }

    /// About `targetBytes` per chunk: full trailing axes, leading axes halved until it fits.
    static func automaticChunk(shape: [Int], elementSize: Int, targetBytes: Int = 1 << 20) -> [Int] {
        var chunk = shape.map { max($0, 1) }
        var axis = 0
        while chunk.reduce(elementSize, *) > targetBytes, axis < chunk.count {
            if chunk[axis] > 1 { chunk[axis] = (chunk[axis] + 1) / 2 } else { axis += 1 }
        }
        return chunk
    }
}

extension HDF5File {
    /// A dataset creation property list: time tracking off (byte determinism) and the requested layout.
    /// `extendable` datasets must be chunked; their first axis may grow.
    func datasetCreationList(_ site: HDF5Site, shape: [Int], dtype: HDF5DType, storage: HDF5Storage,
                             extendable: Bool) throws -> hid_t {
        let dcpl = try site.check(H5Pcreate(bl_p_dataset_create()), "make a dataset creation property list for")
        do {
            try site.check(H5Pset_obj_track_times(dcpl, false), "turn off time tracking for")
            let bytes = shape.reduce(dtype.size, *)
            var chunking: HDF5Chunking?
            switch storage {
            case .contiguous: chunking = extendable ? HDF5Chunking() : nil
            case .chunked(let c): chunking = c
            case .automatic: chunking = extendable || bytes >= HDF5Storage.automaticThreshold ? HDF5Chunking() : nil
            }
            // HDF5 cannot chunk a scalar; a scalar is never large anyway.
            if let chunking, !shape.isEmpty {
                let chunk = chunking.chunkShape ?? HDF5Chunking.automaticChunk(shape: shape, elementSize: dtype.size)
                precondition(chunk.count == shape.count && chunk.allSatisfy { $0 > 0 },
                             "chunk shape \(chunk) does not fit dataset shape \(shape)")
                let dims = chunk.map { hsize_t($0) }
                try site.check(H5Pset_chunk(dcpl, Int32(dims.count), dims), "set the chunk shape of")
                if chunking.shuffle { try site.check(H5Pset_shuffle(dcpl), "enable shuffle for") }
                if let level = chunking.deflateLevel {
                    try site.check(H5Pset_deflate(dcpl, UInt32(level)), "enable deflate for",
                                   hint: "this HDF5 build lacks zlib; install libhdf5-dev from Debian")
                }
            }
            return dcpl
        } catch {
            H5Pclose(dcpl)
            throw error
        }
    }
}
