// Numeric comparison of two HDF5 files, dataset by dataset, streaming row blocks so that large
// datasets are never held whole as Double. Attributes are compared exactly.
import CHDF5
import Foundation

public enum HDF5Compare {
    /// Elements read per block (as Double: 8 MiB).
    static let blockElements = 1 << 20

    /// Compares every dataset and attribute of files `a` and `b`; element i is beyond tolerance when
    /// |a − b| > atol + rtol·|b| (NaN equals NaN; NaN against a number is always beyond).
    public static func compare(_ a: String, _ b: String, atol: Double = 0, rtol: Double = 0) throws -> HDF5Comparison {
        precondition(atol >= 0 && rtol >= 0, "tolerances must be ≥ 0")
        let fileA = try HDF5File.open(a)
        let fileB = try HDF5File.open(b)
        defer { try? fileA.close(); try? fileB.close() }
        let entriesA = try fileA.entries()
        let entriesB = try fileB.entries()
        let setsA = Set(entriesA.filter { $0.kind == .dataset }.map(\.path))
        let setsB = Set(entriesB.filter { $0.kind == .dataset }.map(\.path))
        let groupsA = Set(entriesA.filter { $0.kind == .group }.map(\.path)).union(["/"])
        let groupsB = Set(entriesB.filter { $0.kind == .group }.map(\.path)).union(["/"])

        let runRows = try HDF5RunRows.match(fileA, fileB, datasetsA: setsA, datasetsB: setsB)
        var datasets: [DatasetDifference] = []
        for path in setsA.union(setsB).sorted() {
            switch (setsA.contains(path), setsB.contains(path)) {
            case (true, true):
                datasets.append(try compareDataset(path, fileA, fileB, atol: atol, rtol: rtol, runRows: runRows))
            case (true, false):
                let info = try fileA.info(path)
                datasets.append(DatasetDifference(path: path, status: .onlyInA, shapeA: info.shape, dtypeA: info.typeName))
            default:
                let info = try fileB.info(path)
                datasets.append(DatasetDifference(path: path, status: .onlyInB, shapeB: info.shape, dtypeB: info.typeName))
            }
        }
        var attributes: [AttributeDifference] = []
        for object in groupsA.intersection(groupsB).union(setsA.intersection(setsB)).sorted() {
            attributes += try compareAttributes(object, fileA, fileB)
        }
        let onlyA = groupsA.subtracting(groupsB).sorted()
        let onlyB = groupsB.subtracting(groupsA).sorted()
        return HDF5Comparison(
            fileA: a, fileB: b, atol: atol, rtol: rtol, datasets: datasets, attributes: attributes,
            groupsOnlyInA: onlyA, groupsOnlyInB: onlyB,
            isSame: datasets.allSatisfy(\.isSame) && attributes.isEmpty && onlyA.isEmpty && onlyB.isEmpty)
    }

    // MARK: - Datasets

    static func compareDataset(_ path: String, _ fileA: HDF5File, _ fileB: HDF5File,
                               atol: Double, rtol: Double, runRows: HDF5RunRows? = nil) throws -> DatasetDifference {
        let infoA = try fileA.info(path)
        let infoB = try fileB.info(path)
        var diff = DatasetDifference(path: path, status: .same, shapeA: infoA.shape, shapeB: infoB.shape,
                                     dtypeA: infoA.typeName, dtypeB: infoB.typeName)
        guard infoA.shape == infoB.shape else {
            diff.status = .shapeDiffers
            return diff
        }
        guard let numericA = try? fileA.isNumeric(path), let numericB = try? fileB.isNumeric(path), numericA, numericB else {
            diff.status = .notComparable
            return diff
        }
        var stats = ElementStats(atol: atol, rtol: rtol)
        let shape = infoA.shape
        if let runRows, runRows.isTable(path, shape: shape) {
            // Rows are runs: match them by key (per-run tables are small, read whole).
            stats.add(try fileA.readAsDouble(path), runRows.reorder(try fileB.readAsDouble(path), shape: shape), offset: 0)
        } else if shape.isEmpty || shape[0] == 0 {
            stats.add(try fileA.readAsDouble(path), try fileB.readAsDouble(path), offset: 0)
        } else {
            let rowSize = max(shape.dropFirst().reduce(1, *), 1)
            let rowsPerBlock = max(1, blockElements / rowSize)
            var row = 0
            while row < shape[0] {
                let rows = row..<min(row + rowsPerBlock, shape[0])
                stats.add(try fileA.readAsDouble(path, rows: rows), try fileB.readAsDouble(path, rows: rows),
                          offset: row * rowSize)
                row = rows.upperBound
            }
        }
        diff.count = stats.count
        diff.maxAbsDiff = stats.count > 0 ? stats.maxAbs : nil
        diff.maxRelDiff = stats.count > 0 ? stats.maxRel : nil
        diff.beyondTolerance = stats.beyond
        diff.firstBadIndex = stats.firstBad
        if infoA.typeName != infoB.typeName {
            diff.status = .dtypeDiffers
        } else {
            diff.status = stats.beyond == 0 ? .same : .different
        }
        return diff
    }

    /// Running max |a − b|, max relative difference and count beyond tolerance over blocks.
    struct ElementStats {
        let atol: Double
        let rtol: Double
        var count = 0
        var maxAbs = 0.0
        var maxRel = 0.0
        var beyond = 0
        var firstBad: Int?

        mutating func add(_ a: [Double], _ b: [Double], offset: Int) {
            precondition(a.count == b.count, "block sizes differ")
            for i in 0..<a.count {
                let x = a[i], y = b[i]
                var abs: Double
                if x.isNaN || y.isNaN {
                    abs = x.isNaN && y.isNaN ? 0 : .infinity
                } else if x == y {
                    abs = 0  // also equal infinities, whose difference would be NaN
                } else {
                    abs = Swift.abs(x - y)
                }
                let rel = abs == 0 ? 0 : (y == 0 || y.isNaN ? .infinity : abs / Swift.abs(y))
                maxAbs = Swift.max(maxAbs, abs)
                maxRel = Swift.max(maxRel, rel)
                if abs > atol + rtol * Swift.abs(y) || abs == .infinity {
                    beyond += 1
                    if firstBad == nil { firstBad = offset + i }
                }
            }
            count += a.count
        }
    }

    // MARK: - Attributes

    static func compareAttributes(_ object: String, _ fileA: HDF5File, _ fileB: HDF5File) throws -> [AttributeDifference] {
        let valuesA = try readableAttributes(object, fileA)
        let valuesB = try readableAttributes(object, fileB)
        var result: [AttributeDifference] = []
        for name in Set(valuesA.keys).union(valuesB.keys).sorted() {
            switch (valuesA[name], valuesB[name]) {
            case let (a?, b?) where a != b:
                result.append(AttributeDifference(object: object, name: name, status: .differs, valueA: a, valueB: b))
            case let (a?, nil):
                result.append(AttributeDifference(object: object, name: name, status: .onlyInA, valueA: a))
            case let (nil, b?):
                result.append(AttributeDifference(object: object, name: name, status: .onlyInB, valueB: b))
            default:
                continue
            }
        }
        return result
    }

    /// Attributes of one object; one of a type BatchLab cannot read shows as a string naming its type.
    private static func readableAttributes(_ object: String, _ file: HDF5File) throws -> [String: HDF5AttributeValue] {
        var result: [String: HDF5AttributeValue] = [:]
        for name in try file.attributeNames(at: object) {
            do {
                result[name] = try file.attribute(name, at: object)
            } catch let HDF5Error.unsupportedType(_, _, type) {
                result[name] = .string("<\(type)>")
            }
        }
        return result
    }
}

extension HDF5File {
    /// Whether the dataset's elements are integers or floats of any size (readable as Double).
    func isNumeric(_ path: String) throws -> Bool {
        try withDataset(path) { ds, site in
            let type = try site.check(H5Dget_type(ds), "read the type of")
            defer { H5Tclose(type) }
            return HDF5DType.isNumeric(type)
        }
    }
}
