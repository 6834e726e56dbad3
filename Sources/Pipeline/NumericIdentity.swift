// The numeric environment a stage computes under, as the cache key sees it: named components (the
// BLAS library and its core, the conv engine) whose values change the bits of floating-point results.
// Pipeline knows nothing of BLAS: the caller describes the environment (the CLI asks Study).

/// Whether a stage kind's bytes depend on floating-point kernels chosen at run time.
public enum StageNumerics: String, Sendable {
    /// Integer and byte work, or arithmetic in plain Swift loops whose order the code fixes (no BLAS,
    /// no SIMD kernels): the same inputs and parameters give the same bytes on any CPU, so its key
    /// leaves the numeric environment out and its objects are shared across engines.
    case portable
    /// Calls BLAS or the conv engines, whose summation order depends on the CPU kind and engine: its
    /// key includes the numeric environment, so an object computed under one engine is never served
    /// to a run under another.
    case kernels
}

/// The numeric environment of a process, e.g. `blas=OpenBLAS 0.3.21, blas_core=SkylakeX, conv_engine=avx512`.
public struct NumericIdentity: Sendable, Equatable, CustomStringConvertible {
    /// Component name → value; what goes into the key of a `.kernels` stage.
    public let components: [String: String]

    public init(_ components: [String: String]) { self.components = components }

    public var description: String {
        components.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// The components that differ from `other`, as `name old → new` (sorted by name; "none" for a missing one).
    public func differences(to other: NumericIdentity) -> [String] {
        Set(components.keys).union(other.components.keys).sorted().compactMap { name in
            let old = components[name], new = other.components[name]
            return old == new ? nil : "\(name) \(old ?? "none") → \(new ?? "none")"
        }
    }
}

/// The numeric environment a job's body was keyed for is not the one it runs under (a Slurm node of
/// another CPU kind, another BATCHLAB_CONV_KERNELS): its outputs would not be a function of their key.
public struct NumericEnvironmentMismatch: Error, CustomStringConvertible {
    public let stage: String
    public let expected: NumericIdentity
    public let actual: NumericIdentity
    public let host: String

    public init(stage: String, expected: NumericIdentity, actual: NumericIdentity, host: String) {
        self.stage = stage
        self.expected = expected
        self.actual = actual
        self.host = host
    }

    /// What happened and how to fix it, without the stage's name (a failure line adds it).
    public var message: String {
        "its cache key was computed for the numeric environment \(expected), but it runs on \(host) "
            + "under \(actual) (" + expected.differences(to: actual).joined(separator: ", ") + "); its outputs would "
            + "not be a function of their key, so it did not run. HINT: start batchlab on a node of the same CPU kind as "
            + "the compute nodes, or pin OPENBLAS_CORETYPE and BATCHLAB_CONV_KERNELS to values every node honours "
            + "(docs/running-on-a-cluster.md)"
    }

    public var description: String { "stage \(stage): " + message }
}
