// The `timing` object: seconds per epoch of the training loop measured under control (a stage that ran
// alone, a fixed thread count, batch sizes interleaved round by round). Written by TimingStage, read
// by the report's timing figures (F3, F4, F5, F14) and claim 2. Its numbers are measurements, not a
// function of the cache key: the one declared exception.
//
// Layout (B batch sizes, R timed rounds):
//   /batch_size int64 (B)
//   /seconds    float64 (B, R)  seconds of epoch r (round r, after the warm-up) at batch size b
//   /median, /min, /max, /q1, /q3  float64 (B)  over the R rounds
//   attributes: workers, threads (per rank), repeats (R), warmup, machine (CPU model), engine (BLAS
//   kernel + conv engine), train_count, model, busy_cores (the machine's mean busy cores meanwhile,
//   ours included: workers × threads when nothing else ran)
import Foundation
import Statistics
import Store
import Training

public struct TimingTable: Sendable, Equatable {
    public var batchSizes: [Int]
    /// seconds[b][r]: epoch seconds at batchSizes[b] in timed round r.
    public var seconds: [[Double]]
    public var workers: Int
    public var threads: Int
    public var warmup: Int
    public var machine: String
    public var engine: String
    public var trainCount: Int
    public var model: String
    public var busyCores: Double

    public init(batchSizes: [Int], seconds: [[Double]], workers: Int, threads: Int, warmup: Int, machine: String,
                engine: String, trainCount: Int, model: String, busyCores: Double) {
        precondition(batchSizes.count == seconds.count && Set(seconds.map(\.count)).count <= 1 && seconds.allSatisfy { !$0.isEmpty },
                     "one row of equally many rounds per batch size")
        self.batchSizes = batchSizes
        self.seconds = seconds
        self.workers = workers
        self.threads = threads
        self.warmup = warmup
        self.machine = machine
        self.engine = engine
        self.trainCount = trainCount
        self.model = model
        self.busyCores = busyCores
    }

    public var repeats: Int { seconds.first?.count ?? 0 }

    /// The epoch seconds at one batch size, nil when it was not measured.
    public func samples(batchSize: Int) -> [Double]? { batchSizes.firstIndex(of: batchSize).map { seconds[$0] } }

    /// The median seconds per epoch at one batch size (what F4/F14 multiply epochs by).
    public func median(batchSize: Int) -> Double? { samples(batchSize: batchSize).map(Sample.median) }

    /// (q1, median, q3) by linear interpolation between order statistics (numpy's default).
    public static func quartiles(_ values: [Double]) -> (q1: Double, median: Double, q3: Double) {
        let s = values.sorted()
        func q(_ p: Double) -> Double {
            let h = p * Double(s.count - 1), lo = Int(h.rounded(.down)), hi = min(lo + 1, s.count - 1)
            return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
        }
        return (q(0.25), q(0.5), q(0.75))
    }

    /// "1 worker × 1 thread, 10 rounds, AMD EPYC 9B14, SkylakeX + avx512 conv".
    public var setup: String {
        "\(workers) worker\(workers > 1 ? "s" : "") × \(threads) thread\(threads > 1 ? "s" : ""), \(repeats) rounds after "
            + "\(warmup) warm-up, \(machine), \(engine)"
    }

    // MARK: - The file

    public func write(to path: String) throws {
        let file = try HDF5File.create(path)
        let b = batchSizes.count
        try file.write("/batch_size", HDF5Array(shape: [b], values: batchSizes.map(Int64.init)))
        try file.write("/seconds", HDF5Array(shape: [b, repeats], values: seconds.flatMap { $0 }))
        let stats = seconds.map(Self.quartiles)
        try file.write("/median", HDF5Array(shape: [b], values: stats.map(\.median)))
        try file.write("/q1", HDF5Array(shape: [b], values: stats.map(\.q1)))
        try file.write("/q3", HDF5Array(shape: [b], values: stats.map(\.q3)))
        try file.write("/min", HDF5Array(shape: [b], values: seconds.map { $0.min()! }))
        try file.write("/max", HDF5Array(shape: [b], values: seconds.map { $0.max()! }))
        for (name, value) in [("workers", workers), ("threads", threads), ("repeats", repeats), ("warmup", warmup),
                              ("train_count", trainCount)] {
            try file.setAttribute(name, .int(Int64(value)))
        }
        try file.setAttribute("machine", .string(machine))
        try file.setAttribute("engine", .string(engine))
        try file.setAttribute("model", .string(model))
        try file.setAttribute("busy_cores", .double(busyCores))
        try file.close()
    }

    public static func read(_ url: URL, stage: String) throws -> TimingTable {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        func int(_ name: String) throws -> Int {
            guard case .int(let v) = try file.attribute(name) else {
                throw StudyError.badInput(stage: stage, file: url.path, detail: "timing attribute \(name) is not an integer")
            }
            return Int(v)
        }
        func text(_ name: String) -> String {
            if case .string(let s)? = try? file.attribute(name) { return s }
            return "unknown"
        }
        let sizes = try file.read("/batch_size", as: Int64.self).values.map(Int.init)
        let seconds = try file.read("/seconds", as: Double.self)
        guard seconds.shape.count == 2, seconds.shape[0] == sizes.count, seconds.shape[1] >= 1 else {
            throw StudyError.badInput(stage: stage, file: url.path,
                                      detail: "/seconds is \(seconds.shape), expected [\(sizes.count), rounds ≥ 1]")
        }
        let r = seconds.shape[1]
        var busy = Double.nan
        if case .double(let v)? = try? file.attribute("busy_cores") { busy = v }
        return TimingTable(batchSizes: sizes, seconds: sizes.indices.map { Array(seconds.values[($0 * r)..<(($0 + 1) * r)]) },
                           workers: try int("workers"), threads: try int("threads"), warmup: try int("warmup"),
                           machine: text("machine"), engine: text("engine"), trainCount: try int("train_count"),
                           model: text("model"), busyCores: busy)
    }
}
