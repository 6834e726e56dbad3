// Exercises every Communicator collective on the ranks mpirun starts and reports the results
// through the rank line protocol (rank 0 only); DistributedTests runs it under RankLauncher.
// `distributed-check fail` makes rank 1 fail the way a stage's rank does (error line + MPI_Abort).
import Distributed
#if canImport(Glibc)
import Glibc
#endif

let communicator: Communicator
do { communicator = try Communicator.world() } catch {
    RankMessage.error(rank: -1, "\(error)").writeToStandardError()
    exit(1)
}
let (rank, size) = (communicator.rank, communicator.size)
if CommandLine.arguments.dropFirst().first == "fail", rank == 1 {
    communicator.abort("deliberate failure of rank 1")
}
do {
    // All-reduce: rank r contributes i + r at index i, so index i sums to size·i + size(size−1)/2.
    var floats: [Float] = (0..<1000).map { Float($0 + rank) }
    try communicator.allreduceSum(&floats)
    var doubles: [Double] = [Double(rank), 0.5]
    try communicator.allreduceSum(&doubles)
    let maxRank = try communicator.allreduceMax(Double(rank))
    // Broadcast: every rank ends with the root's values, whatever it held before.
    var broadcastFloats: [Float] = rank == 0 ? [1.5, -2, 3] : [0, 0, 0]
    try communicator.broadcast(&broadcastFloats)
    let bytes = try communicator.broadcast(bytes: rank == 0 ? Array("from the root".utf8) : [])
    var mismatches = [Double(broadcastFloats == [1.5, -2, 3] && bytes == Array("from the root".utf8) ? 0 : 1)]
    try communicator.allreduceSum(&mismatches)
    // Gather: rank r sends r + 1 copies of r (different lengths per rank).
    let gathered = try communicator.gather([Double](repeating: Double(rank), count: rank + 1))
    let gatheredBytes = try communicator.gather(bytes: [UInt8](repeating: UInt8(rank), count: 2 * rank))
    try communicator.barrier()
    if let gathered, let gatheredBytes {
        let expected = (0..<size).map { r in [Double](repeating: Double(r), count: r + 1) }
        let expectedBytes = (0..<size).map { r in [UInt8](repeating: UInt8(r), count: 2 * r) }
        let reports: [(String, Double)] = [
            ("size", Double(size)),
            ("allreduce_float_sum", floats.reduce(0) { $0 + Double($1) }),
            ("allreduce_float[999]", Double(floats[999])),
            ("allreduce_double[0]", doubles[0]), ("allreduce_double[1]", doubles[1]),
            ("allreduce_max", maxRank),
            ("broadcast_mismatches", mismatches[0]),
            ("gather_ok", gathered == expected ? 1 : 0),
            ("gather_bytes_ok", gatheredBytes == expectedBytes ? 1 : 0),
        ]
        for (name, value) in reports { RankMessage.metric(name: name, value: value).writeToStandardOutput() }
    }
    try communicator.finalize()
} catch {
    communicator.abort("\(error)")
}
