// The numeric environment of a run: which OpenBLAS kernel is active, how many BLAS threads, and
// the start-up hook that selects the fast kernel on CPUs Debian's OpenBLAS 0.3.21 misdetects.
import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// What a run records about its numerics (provenance; also part of a reproducibility claim).
public struct BLASInfo: Sendable, Hashable, CustomStringConvertible {
    /// `openblas_get_corename()`, e.g. "SkylakeX", "Haswell", "Prescott".
    public var coreName: String
    /// OpenBLAS's own thread count (BatchLab keeps it at 1 and parallelises itself).
    public var blasThreads: Int
    /// The value of OPENBLAS_CORETYPE the process started with, if any.
    public var requestedCoreType: String?
    /// The conv layers' GEMM engine (`ConvEngine.preferred`).
    public var convEngine: ConvEngine
    /// The BLAS library and its version, e.g. "OpenBLAS 0.3.21" (the start of `openblas_get_config()`):
    /// a release may change a kernel's summation order, hence the bits.
    public var library: String = NumericEnvironment.library()

    /// What a run records as its kernel, e.g. "SkylakeX + avx512 conv": both change the bits.
    public var kernels: String { "\(coreName) + \(convEngine.rawValue) conv" }

    public var description: String {
        "OpenBLAS core \(coreName), \(blasThreads) BLAS thread(s), OPENBLAS_CORETYPE=\(requestedCoreType ?? "unset"); "
            + "conv GEMMs: \(convEngine.rawValue) (\(ConvEngine.variable)=\(ConvEngine.requested ?? "unset"))"
    }
}

public enum NumericEnvironment {
    /// Environment variable OpenBLAS reads in a library constructor, i.e. before `main` runs.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"

    /// Makes sure OpenBLAS runs its fast kernels; call it FIRST THING in every executable's `main`.
    ///
    /// Debian's OpenBLAS 0.3.21 does not recognise recent Xeons and silently falls back to SSE3
    /// ("Prescott") kernels, 5× slower. It reads OPENBLAS_CORETYPE only when the library loads, so
    /// `setenv` in `main` is too late: when the variable is unset and the CPU has AVX-512 (or AVX2),
    /// this sets it and re-executes `/proc/self/exe` with the same arguments. It changes nothing
    /// when the variable is already set (the user's choice wins), when the library already picked
    /// a non-fallback kernel, or on CPUs without AVX2 (they keep OpenBLAS's own, correct choice).
    public static func ensureFastBLAS() {
        if let set = getenv(coreTypeVariable), set.pointee != 0 { return }  // an empty value counts as unset
        let current = currentCoreName()
        guard current == "Prescott" || current == "Core2" || current == "Unknown" else { return }
        guard let flags = cpuFlags(), let wanted = preferredCoreType(cpuFlags: flags) else { return }
        setenv(coreTypeVariable, wanted, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when exec failed: keep running, slower but correct.
        let message = "batchlab: warning: could not re-execute with \(coreTypeVariable)=\(wanted) (errno \(errno)); "
            + "BLAS runs its slow fallback kernels. Fix: export \(coreTypeVariable)=\(wanted) before starting.\n"
        var text = message
        _ = text.withUTF8 { write(2, $0.baseAddress, $0.count) }
    }

    /// The OpenBLAS core type to request for a CPU with these /proc/cpuinfo flags, or nil to leave
    /// the library's own detection alone.
    public static func preferredCoreType(cpuFlags: Set<String>) -> String? {
        let skylakeX: Set<String> = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
        if skylakeX.isSubset(of: cpuFlags) { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The flags line of /proc/cpuinfo, or nil where there is none (non-Linux, restricted /proc).
    public static func cpuFlags() -> Set<String>? {
        guard let text = readSmallFile("/proc/cpuinfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return nil
    }

    /// The kernel OpenBLAS is using now.
    public static func currentCoreName() -> String {
        guard let name = openblas_get_corename() else { return "Unknown" }
        return String(cString: name).trimmingSpaces()
    }

    /// "OpenBLAS 0.3.21": the first two words of `openblas_get_config()` (the rest lists build options
    /// and the core, which `currentCoreName` gives).
    public static func library() -> String {
        guard let config = openblas_get_config() else { return "OpenBLAS (unknown version)" }
        return String(cString: config).split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// Sets OpenBLAS's internal thread count (BatchLab uses 1: see `Network`).
    public static func setBLASThreads(_ count: Int) {
        precondition(count >= 1, "BLAS thread count must be at least 1")
        openblas_set_num_threads(Int32(count))
    }

    /// Provenance of the current process's numerics.
    public static func blasInfo() -> BLASInfo {
        let requested = getenv(coreTypeVariable).map { String(cString: $0) }
        return BLASInfo(coreName: currentCoreName(), blasThreads: Int(openblas_get_num_threads()),
                        requestedCoreType: requested, convEngine: .preferred)
    }
}

/// Reads a small text file with POSIX calls (no Foundation in the compute modules).
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\n" || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\n" || c == "\t" { s.removeLast() }
        return String(s)
    }
}
