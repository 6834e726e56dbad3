// The seeded generator of generated images and splits: the project's one SplitMix64 (Primitives),
// whose output is fixed by that file alone.
import Primitives

public typealias SeededRandom = SplitMix64
