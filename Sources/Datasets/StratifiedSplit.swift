// A seeded, stratified train/validation split of a labelled set, as sorted index lists.

/// Indices into the full set; together they cover every index exactly once.
public struct Split: Sendable, Equatable {
    /// Training indices, ascending.
    public let train: [Int]
    /// Validation indices, ascending.
    public let validation: [Int]
}

/// Splits `labels` so that each class keeps its proportion in both parts.
///
/// Per class (in label order): its indices are shuffled with a generator seeded by (seed, class),
/// and the first round(n · validationFraction) go to validation. Depends only on the labels, the
/// fraction and the seed, so changing the seed never requires decoding anything again.
public func stratifiedSplit(labels: [UInt8], validationFraction: Double = 0.2, seed: UInt64) throws(DatasetsError) -> Split {
    guard validationFraction > 0 && validationFraction < 1 else {
        throw .invalidParameter(name: "validation fraction", value: "\(validationFraction)", expected: "a number in (0, 1)")
    }
    var byClass: [[Int]] = Array(repeating: [], count: 256)
    for (i, label) in labels.enumerated() { byClass[Int(label)].append(i) }
    var train: [Int] = [], validation: [Int] = []
    train.reserveCapacity(labels.count)
    for (label, var members) in byClass.enumerated() where !members.isEmpty {
        var random = SeededRandom(seed: seed, stream: 0x5350_4C49_54, index: UInt64(label))  // "SPLIT"
        random.shuffle(&members)
        let take = Int((Double(members.count) * validationFraction).rounded(.toNearestOrAwayFromZero))
        validation += members[..<take]
        train += members[take...]
    }
    return Split(train: train.sorted(), validation: validation.sorted())
}
