// The result of comparing two HDF5 files numerically (what `batchlab diff` prints, like h5diff),
// as typed values: printable as text, encodable as JSON.
import Foundation

/// How one dataset path compares between file A and file B.
public struct DatasetDifference: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Every element within `atol + rtol·|b|` (values may still differ slightly: see `maxAbsDiff`).
        case same
        /// Some elements beyond tolerance.
        case different
        case onlyInA, onlyInB
        case shapeDiffers
        /// Same shape, different element types (values are still compared, as Double).
        case dtypeDiffers
        /// A non-numeric dataset (strings, compounds): not compared.
        case notComparable
    }

    public var path: String
    public var status: Status
    public var shapeA: [Int]?
    public var shapeB: [Int]?
    public var dtypeA: String?
    public var dtypeB: String?
    /// Elements compared.
    public var count: Int = 0
    /// max |a − b| (infinite where exactly one side is NaN or they are opposite infinities).
    public var maxAbsDiff: Double?
    /// max |a − b| / |b|; infinite where b = 0 and a ≠ 0.
    public var maxRelDiff: Double?
    /// Elements with |a − b| > atol + rtol·|b|.
    public var beyondTolerance: Int = 0
    /// Flat (row-major) index of the first element beyond tolerance.
    public var firstBadIndex: Int?

    public var isSame: Bool { status == .same }
}

/// An attribute that differs or exists on one side only.
public struct AttributeDifference: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable { case onlyInA, onlyInB, differs }
    /// The object carrying it ("/" for the file).
    public var object: String
    public var name: String
    public var status: Status
    public var valueA: HDF5AttributeValue?
    public var valueB: HDF5AttributeValue?
}

/// Two HDF5 files compared: every dataset of either file, every differing attribute, groups on one side only.
public struct HDF5Comparison: Sendable, Equatable, Codable, CustomStringConvertible {
    public var fileA: String
    public var fileB: String
    public var atol: Double
    public var rtol: Double
    /// Every dataset path in A or B, sorted.
    public var datasets: [DatasetDifference]
    public var attributes: [AttributeDifference]
    public var groupsOnlyInA: [String]
    public var groupsOnlyInB: [String]
    /// True when nothing differs beyond tolerance.
    public var isSame: Bool

    /// h5diff-like text: one line per difference, then a summary.
    public var description: String {
        var lines = ["A: \(fileA)", "B: \(fileB)", "tolerance: |a − b| ≤ \(atol) + \(rtol)·|b|"]
        for d in datasets where !d.isSame {
            lines.append(Self.line(for: d))
        }
        for g in groupsOnlyInA { lines.append("group \(g): only in A") }
        for g in groupsOnlyInB { lines.append("group \(g): only in B") }
        for a in attributes {
            let where_ = "attribute \(a.object == "/" ? "" : a.object)@\(a.name)"
            switch a.status {
            case .onlyInA: lines.append("\(where_): only in A (\(a.valueA?.description ?? ""))")
            case .onlyInB: lines.append("\(where_): only in B (\(a.valueB?.description ?? ""))")
            case .differs: lines.append("\(where_): \(a.valueA?.description ?? "") vs \(a.valueB?.description ?? "")")
            }
        }
        let differing = datasets.filter { !$0.isSame }.count
        lines.append(isSame ? "same: \(datasets.count) dataset(s) within tolerance"
                     : "different: \(differing) of \(datasets.count) dataset(s), \(attributes.count) attribute(s)")
        return lines.joined(separator: "\n")
    }

    private static func line(for d: DatasetDifference) -> String {
        let shape = { (s: [Int]?) in s.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" } ?? "?" }
        switch d.status {
        case .same: return "dataset \(d.path): same"
        case .onlyInA: return "dataset \(d.path): only in A (\(d.dtypeA ?? "?") \(shape(d.shapeA)))"
        case .onlyInB: return "dataset \(d.path): only in B (\(d.dtypeB ?? "?") \(shape(d.shapeB)))"
        case .shapeDiffers: return "dataset \(d.path): shape \(shape(d.shapeA)) vs \(shape(d.shapeB))"
        case .notComparable: return "dataset \(d.path): \(d.dtypeA ?? "?") vs \(d.dtypeB ?? "?"), not numeric, not compared"
        case .different, .dtypeDiffers:
            var text = "dataset \(d.path): \(d.dtypeA ?? "?")"
            if d.status == .dtypeDiffers { text += " vs \(d.dtypeB ?? "?")" }
            text += " \(shape(d.shapeA))"
            if d.beyondTolerance > 0 {
                text += ": \(d.beyondTolerance) of \(d.count) element(s) beyond tolerance"
                text += ", max abs \(format(d.maxAbsDiff)), max rel \(format(d.maxRelDiff))"
                if let i = d.firstBadIndex { text += ", first at flat index \(i)" }
            } else {
                text += ": values within tolerance, max abs \(format(d.maxAbsDiff))"
            }
            return text
        }
    }

    private static func format(_ value: Double?) -> String {
        guard let value else { return "-" }
        return String(format: "%.6g", value)
    }

    /// Pretty, key-sorted JSON; infinities and NaN as the strings "inf", "-inf", "nan".
    public func jsonString() throws -> String {
        String(decoding: try StoreJSON.encoder().encode(self), as: UTF8.self)
    }
}

enum StoreJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }
}
