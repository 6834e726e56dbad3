// Tables whose rows are training runs (the distances object: /runs, /layers, /epochs, /updates) are
// compared row by key — batch size, learning rate and, when present, replicate — not by position:
// two files may list the same runs in another order. The layout is the study's (see DistancesFile);
// a file without the key columns is compared by position as before.
import Foundation

struct HDF5RunRows {
    /// The columns that identify a run, in key order; `replicate` may be absent.
    static let keyColumns = ["/runs/batch_size", "/runs/lr", "/runs/replicate"]
    /// Groups whose datasets have one row per run (first dimension = number of runs).
    static let tableGroups = ["/runs/", "/layers/", "/epochs/", "/updates/"]

    /// Row count R, and for each row of A the row of B with the same key.
    let runs: Int
    let rowOfB: [Int]

    /// The row matching of two files, or nil when either has no key columns, the keys are not one
    /// run per row, or the two files do not hold the same runs (then rows are compared by position).
    static func match(_ fileA: HDF5File, _ fileB: HDF5File, datasetsA: Set<String>, datasetsB: Set<String>) throws
        -> HDF5RunRows? {
        let columns = keyColumns.filter { datasetsA.contains($0) && datasetsB.contains($0) }
        guard columns.count >= 2, columns.prefix(2) == keyColumns.prefix(2) else { return nil }
        func keys(_ file: HDF5File) throws -> [[Double]]? {
            let values = try columns.map { try file.readAsDouble($0) }
            guard let r = values.first?.count, values.allSatisfy({ $0.count == r }) else { return nil }
            return (0..<r).map { i in values.map { $0[i] } }
        }
        guard let a = try keys(fileA), let b = try keys(fileB), a.count == b.count,
              Set(a).count == a.count, Set(a) == Set(b) else { return nil }
        let rowInB = Dictionary(uniqueKeysWithValues: b.enumerated().map { ($1, $0) })
        let rows = a.map { rowInB[$0]! }
        return rows == Array(rows.indices) ? nil : HDF5RunRows(runs: a.count, rowOfB: rows)
    }

    /// Whether a dataset of this shape under this path is a per-run table.
    func isTable(_ path: String, shape: [Int]) -> Bool {
        shape.first == runs && Self.tableGroups.contains { path.hasPrefix($0) }
    }

    /// B's elements with its rows put in A's order (row size = product of the other dimensions).
    func reorder(_ values: [Double], shape: [Int]) -> [Double] {
        let rowSize = max(shape.dropFirst().reduce(1, *), 1)
        var result: [Double] = []
        result.reserveCapacity(values.count)
        for row in rowOfB { result += values[row * rowSize..<(row + 1) * rowSize] }
        return result
    }
}
