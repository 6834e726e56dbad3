// The project's one closeness check, |a − e| ≤ atol + rtol·|e|, with a report that says where it failed.
// Test support only: production code compares bits, never "close enough".
import XCTest

public enum Closeness {
    /// nil when every pair is close; otherwise a description naming the count of bad elements,
    /// the max absolute difference, the first bad index and a few (actual, expected) pairs.
    public static func check<A: BinaryFloatingPoint, E: BinaryFloatingPoint>(
        _ actual: [A], _ expected: [E], atol: Double, rtol: Double, label: String = "tensor"
    ) -> String? {
        guard actual.count == expected.count else {
            return "\(label): size mismatch, actual \(actual.count) vs expected \(expected.count)"
        }
        var maxDiff = 0.0
        var bad: [Int] = []
        for i in 0..<actual.count {
            let a = Double(actual[i]), e = Double(expected[i])
            let diff = abs(a - e)
            if diff.isNaN || a.isNaN != e.isNaN { bad.append(i); maxDiff = .nan; continue }
            if !(diff <= atol + rtol * abs(e)) { bad.append(i) }
            if diff > maxDiff { maxDiff = diff }
        }
        if bad.isEmpty { return nil }
        let pairs = bad.prefix(5).map { "[\($0)] \(Double(actual[$0])) vs \(Double(expected[$0]))" }
        return "\(label): \(bad.count) of \(actual.count) elements differ (atol \(atol), rtol \(rtol)); "
            + "max |diff| \(maxDiff), first bad index \(bad[0]); " + pairs.joined(separator: ", ")
    }
}

/// Fails the test with `Closeness.check`'s report (count, max difference, first bad index, pairs).
public func assertClose<A: BinaryFloatingPoint, E: BinaryFloatingPoint>(
    _ actual: [A], _ expected: [E], atol: Double, rtol: Double = 0, _ label: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    if let failure = Closeness.check(actual, expected, atol: atol, rtol: rtol, label: label) {
        XCTFail(failure, file: file, line: line)
    }
}
