// MPI_COMM_WORLD as a Swift value: rank, size and the few collectives BatchLab uses (all-reduce
// sums, broadcast, gather to a root, barrier). Only a rank program creates one: creating it calls
// MPI_Init, so the main batchlab process never initialises MPI.
import CMPI
#if canImport(Glibc)
import Glibc
#endif

public final class Communicator: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let comm: MPI_Comm?

    private init(comm: MPI_Comm?, rank: Int, size: Int) {
        self.comm = comm
        self.rank = rank
        self.size = size
    }

    /// Initialises MPI (once per process) and returns the world communicator, whose errors are
    /// returned (and thrown here) instead of aborting inside the library.
    public static func world() throws -> Communicator {
        var initialized: Int32 = 0
        try check(MPI_Initialized(&initialized), "MPI_Initialized")
        if initialized == 0 { try check(MPI_Init(nil, nil), "MPI_Init") }
        let comm = bl_mpi_comm_world()
        try check(MPI_Comm_set_errhandler(comm, bl_mpi_errors_return()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0, size: Int32 = 0
        try check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank")
        try check(MPI_Comm_size(comm, &size), "MPI_Comm_size")
        return Communicator(comm: comm, rank: Int(rank), size: Int(size))
    }

    public var isRoot: Bool { rank == 0 }

    // MARK: - Collectives

    /// Sums `buffer` element-wise over all ranks, in place; every rank receives the sum.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let base = buffer.baseAddress else { return }
        try Self.check(MPI_Allreduce(bl_mpi_in_place(), base, try count(buffer.count, "MPI_Allreduce"), bl_mpi_float(),
                                     bl_mpi_sum(), comm), "MPI_Allreduce")
    }

    public func allreduceSum(_ values: inout [Float]) throws {
        try values.withUnsafeMutableBufferPointer { try allreduceSum($0) }
    }

    public func allreduceSum(_ values: inout [Double]) throws {
        let n = try count(values.count, "MPI_Allreduce")
        try values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            try Self.check(MPI_Allreduce(bl_mpi_in_place(), base, n, bl_mpi_double(), bl_mpi_sum(), comm), "MPI_Allreduce")
        }
    }

    /// The largest value of `value` over all ranks (e.g. to check that every rank agrees).
    public func allreduceMax(_ value: Double) throws -> Double {
        var v = value
        try Self.check(MPI_Allreduce(bl_mpi_in_place(), &v, 1, bl_mpi_double(), bl_mpi_max(), comm), "MPI_Allreduce(max)")
        return v
    }

    /// Overwrites `values` on every rank with the root's; all ranks must pass the same count.
    public func broadcast(_ values: inout [Float], root: Int = 0) throws {
        let n = try count(values.count, "MPI_Bcast")
        try values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            try Self.check(MPI_Bcast(base, n, bl_mpi_float(), Int32(root), comm), "MPI_Bcast")
        }
    }

    /// The root's bytes on every rank (any length: the length is broadcast first).
    public func broadcast(bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        var length = Int32(rank == root ? try count(bytes.count, "MPI_Bcast") : 0)
        try Self.check(MPI_Bcast(&length, 1, bl_mpi_int(), Int32(root), comm), "MPI_Bcast(length)")
        var out = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length))
        try out.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            try Self.check(MPI_Bcast(base, length, bl_mpi_byte(), Int32(root), comm), "MPI_Bcast")
        }
        return out
    }

    /// Every rank's `values` (any length per rank) on the root, in rank order; nil on the others.
    public func gather(_ values: [Double], root: Int = 0) throws -> [[Double]]? {
        let bytes = values.withUnsafeBytes { Array($0) }
        return try gather(bytes: bytes, root: root)?.map { part in
            part.withUnsafeBytes { raw in
                (0..<(raw.count / MemoryLayout<Double>.size)).map {
                    raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<Double>.size, as: Double.self)
                }
            }
        }
    }

    /// Every rank's bytes (any length per rank) on the root, in rank order; nil on the others.
    public func gather(bytes: [UInt8], root: Int = 0) throws -> [[UInt8]]? {
        var mine = try count(bytes.count, "MPI_Gatherv")
        var counts = [Int32](repeating: 0, count: rank == root ? size : 1)
        try Self.check(MPI_Gather(&mine, 1, bl_mpi_int(), &counts, 1, bl_mpi_int(), Int32(root), comm), "MPI_Gather(counts)")
        guard rank == root else {
            try bytes.withUnsafeBytes { send in
                try Self.check(MPI_Gatherv(send.baseAddress, mine, bl_mpi_byte(), nil, nil, nil, bl_mpi_byte(),
                                           Int32(root), comm), "MPI_Gatherv")
            }
            return nil
        }
        var displacements = [Int32](repeating: 0, count: size)
        var total = 0
        for r in 0..<size {
            displacements[r] = try count(total, "MPI_Gatherv")
            total += Int(counts[r])
        }
        _ = try count(total, "MPI_Gatherv")
        var all = [UInt8](repeating: 0, count: max(total, 1))
        try bytes.withUnsafeBytes { send in
            try all.withUnsafeMutableBytes { receive in
                try Self.check(MPI_Gatherv(send.baseAddress, mine, bl_mpi_byte(), receive.baseAddress, &counts, &displacements,
                                           bl_mpi_byte(), Int32(root), comm), "MPI_Gatherv")
            }
        }
        return (0..<size).map { r in
            Array(all[Int(displacements[r])..<(Int(displacements[r]) + Int(counts[r]))])
        }
    }

    public func barrier() throws {
        try Self.check(MPI_Barrier(comm), "MPI_Barrier")
    }

    /// Ends MPI in this process (collective: every rank calls it once, last).
    public func finalize() throws {
        var finalized: Int32 = 0
        try Self.check(MPI_Finalized(&finalized), "MPI_Finalized")
        if finalized == 0 { try Self.check(MPI_Finalize(), "MPI_Finalize") }
    }

    /// Writes `message` to this rank's stderr and makes mpirun stop every rank with `code`. For
    /// failures inside a collective step, where the other ranks would otherwise wait forever.
    public func abort(_ message: String, code: Int32 = 1) -> Never {
        RankMessage.error(rank: rank, message).writeToStandardError()
        MPI_Abort(comm, code)
        exit(code)  // MPI_Abort does not return; this keeps the compiler (and a broken MPI) honest
    }

    // MARK: - Status codes

    private func count(_ n: Int, _ call: String) throws -> Int32 {
        guard n <= Int(Int32.max) else { throw DistributedError.countTooLarge(call: call, count: n) }
        return Int32(n)
    }

    /// Maps an MPI return code to a thrown error with the library's own text.
    static func check(_ code: Int32, _ call: String) throws {
        guard code != MPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(bl_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        let message = MPI_Error_string(code, &text, &length) == MPI_SUCCESS
            ? String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown error"
        throw DistributedError.mpi(call: call, code: code, message: message)
    }
}
