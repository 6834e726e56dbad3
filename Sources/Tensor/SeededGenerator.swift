// The seeded generator of weights and directions: the project's one SplitMix64 (Primitives), whose
// streams are fixed by that file alone.
import Primitives

public typealias SeededGenerator = SplitMix64
