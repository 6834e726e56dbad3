// `batchlab-bench store [DIR]`: times the storage layer on this machine and prints a table (build with -c
// release). DIR: a scratch folder on the disk to measure; default a new temp folder.
import ArgumentParser
import Foundation
import Store

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Hashing, puts, HDF5 write/read, the row writer, comparison, index and verify times.")

    @Argument(help: "A scratch folder on the disk to measure (default: a new temporary folder); removed afterwards.")
    var folder: String?

    func run() throws { try StoreBench.run(folder: folder) }
}

enum StoreBench {
    static func run(folder: String?) throws {
        struct Row {
            let operation: String
            let amount: String
            let seconds: Double
            let rate: String
        }

        var rows: [Row] = []

        /// Times `body` once (these operations are long enough that one run is representative).
        func measure(_ operation: String, _ amount: String, rate: (Double) -> String = { _ in "" }, _ body: () throws -> Void) rethrows {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            rows.append(Row(operation: operation, amount: amount, seconds: seconds, rate: rate(seconds)))
        }

        func mibPerSecond(_ bytes: Int) -> (Double) -> String { { String(format: "%.0f MiB/s", Double(bytes) / 1048576 / $0) } }
        func perItem(_ count: Int, _ unit: String) -> (Double) -> String { { String(format: "%.3f ms/%@", $0 * 1000 / Double(count), unit) } }

        let base = folder.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("store-bench-\(getpid())")
        let root = base.appendingPathComponent("artifacts")
        try? FileManager.default.removeItem(at: base)
        defer { try? FileManager.default.removeItem(at: base) }
        let artifacts = try Artifacts(root: root)
        let store = artifacts.objects

        // MARK: - Hashing and objects
        let bigBytes = 256 << 20
        let bigFile = base.appendingPathComponent("big.bin")
        do {
            var data = Data(count: bigBytes)
            data.withUnsafeMutableBytes { raw in
                let words = raw.bindMemory(to: UInt64.self)
                var x: UInt64 = 0x9E37_79B9_7F4A_7C15
                for i in words.indices { x ^= x << 13; x ^= x >> 7; x ^= x << 17; words[i] = x }
            }
            try data.write(to: bigFile)
        }
        try measure("SHA-256 of a file (streamed)", "256 MiB", rate: mibPerSecond(bigBytes)) {
            _ = try ObjectHash.ofFile(atPath: bigFile.path)
        }
        try measure("put(file:) same file system", "256 MiB", rate: mibPerSecond(bigBytes)) {
            let scratch = try store.makeScratchURL()
            try FileManager.default.copyItem(at: bigFile, to: scratch)
            _ = try store.put(file: scratch)
        }
        let smallCount = 200
        try measure("put(bytes:) small objects (fsync each)", "\(smallCount) × 1 KiB", rate: perItem(smallCount, "object")) {
            for i in 0..<smallCount { _ = try store.put(bytes: Data(repeating: UInt8(i % 256), count: 1000 + i)) }
        }

        // MARK: - HDF5
        let floats = 16 << 20  // 64 MiB of float32
        let values = (0..<floats).map { Float(sin(Double($0) * 0.001)) }
        var h5Paths: [String] = []
        for (name, storage) in [("contiguous", HDF5Storage.contiguous), ("automatic: chunk+shuffle+deflate 4", .automatic)] {
            let path = base.appendingPathComponent("\(h5Paths.count).h5").path
            h5Paths.append(path)
            try measure("HDF5 write float32, \(name)", "64 MiB", rate: mibPerSecond(floats * 4)) {
                let file = try HDF5File.create(path)
                try file.write("/x", HDF5Array(shape: [floats / 1024, 1024], values: values), storage: storage)
                try file.close()
            }
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            try measure("HDF5 read float32, \(name) (file \(size >> 20) MiB)", "64 MiB", rate: mibPerSecond(floats * 4)) {
                let file = try HDF5File.open(path)
                _ = try file.read("/x", as: Float.self)
            }
        }
        let images = 10_000
        try measure("HDF5 row writer, uint8 3×32×32 rows, one at a time", "\(images) rows", rate: perItem(images, "row")) {
            let file = try HDF5File.create(base.appendingPathComponent("rows.h5").path)
            let writer = try file.createRowWriter("/images", rowShape: [3, 32, 32], as: UInt8.self)
            var row = [UInt8](repeating: 0, count: 3072)
            for i in 0..<images {
                for j in 0..<row.count { row[j] = UInt8(truncatingIfNeeded: i &* 31 &+ j) }
                try writer.append(row)
            }
            try file.close()
        }
        try measure("HDF5Compare, identical 64 MiB float32 (contiguous vs chunked)", "16 Mi elements", rate: mibPerSecond(floats * 4)) {
            _ = try HDF5Compare.compare(h5Paths[0], h5Paths[1], atol: 0, rtol: 0)
        }

        // MARK: - Run index
        let stages = 500
        let run = try artifacts.index.beginRun(RunRecord(startedAt: Date(), pipelineFile: "bench.yaml", pipelineHash: "h",
                                                         host: "bench", cpuModel: "cpu", threads: 1, toolVersion: "bench"))
        let objects = try (0..<stages).map { try store.put(bytes: Data("stage \($0)".utf8)) }
        try measure("record(StageCompletion): 1 output, 2 params, 10 metrics", "\(stages) stages", rate: perItem(stages, "stage")) {
            for i in 0..<stages {
                try artifacts.index.record(StageCompletion(
                    runId: run.id!, stage: "toy@i=\(i)", kind: "toy", codeVersion: "1", key: "key-\(i)", mode: .executed,
                    status: .succeeded, startedAt: Date(), endedAt: Date(), duration: 0.1,
                    outputs: [.init(name: "out", object: objects[i], mediaType: "text/plain")],
                    parameters: ["i": "\(i)", "lr": "0.1"], metrics: (0..<10).map { .init(name: "loss", value: Double($0), step: $0) }))
            }
        }
        for count in [50, 500] {
            let keys = (0..<count).map { "key-\($0)" }
            try measure("Artifacts.cacheLookup(keys:) (index + stat per output)", "\(count) keys", rate: perItem(count, "key")) {
                let found = try artifacts.cacheLookup(keys: keys).count
                precondition(found == count)
            }
            try measure("RunIndex.latestSucceeded(stages:)", "\(count) stages", rate: perItem(count, "stage")) {
                _ = try artifacts.index.latestSucceeded(stages: (0..<count).map { "toy@i=\($0)" })
            }
        }
        try measure("Artifacts.cacheLookup(key:) one at a time", "\(stages) keys", rate: perItem(stages, "key")) {
            for i in 0..<stages {
                let entry = try artifacts.cacheLookup(key: "key-\(i)")
                precondition(entry != nil)
            }
        }
        let allObjects = try store.allObjects()
        let totalBytes = allObjects.reduce(0) {
            $0 + ((try? FileManager.default.attributesOfItem(atPath: store.url(of: $1).path)[.size] as? Int) ?? 0)
        }
        try measure("Artifacts.verify() (rehash every object)", "\(allObjects.count) objects, \(totalBytes >> 20) MiB",
                    rate: mibPerSecond(totalBytes)) {
            let clean = try artifacts.verify().isClean
            precondition(clean)
        }

        // MARK: - Table
        let widths = [rows.map(\.operation.count).max()!, rows.map(\.amount.count).max()!, 10, rows.map(\.rate.count).max()!]
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        print("| " + pad("operation", widths[0]) + " | " + pad("amount", widths[1]) + " | " + pad("seconds", widths[2]) + " | " + pad("rate", widths[3]) + " |")
        print("|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|")
        for r in rows {
            print("| " + pad(r.operation, widths[0]) + " | " + pad(r.amount, widths[1]) + " | "
                  + pad(String(format: "%.4f", r.seconds), widths[2]) + " | " + pad(r.rate, widths[3]) + " |")
        }
    }
}
