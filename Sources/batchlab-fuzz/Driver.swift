// Hands control to libFuzzer's driver in fuzzing builds (`-D FUZZING`, linked with -sanitize=fuzzer,
// whose archive then supplies LLVMFuzzerRunDriver; our own main keeps the replayer in every build).
import Foundation

/// Names the target of a libFuzzer child process (fork and merge modes), which gets no target argument.
let targetVariable = "BATCHLAB_FUZZ_TARGET"

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// The target of this process (libFuzzer's callback is a C function and cannot capture it).
nonisolated(unsafe) var selectedTarget = FuzzTarget.pipeline

func runFuzzer(_ target: FuzzTarget, _ arguments: [String]) -> Never {
    selectedTarget = target
    // With -fork=N or -merge=1 libFuzzer re-runs this program with its own options only: the child
    // finds its target here (see main.swift).
    setenv(targetVariable, target.rawValue, 1)
    // libFuzzer parses argv itself: program name first, then its options and corpus folders.
    var argv: [UnsafeMutablePointer<CChar>?] = ([CommandLine.arguments[0]] + arguments.dropFirst()).map { strdup($0) } + [nil]
    var argc = Int32(argv.count - 1)
    let status = argv.withUnsafeMutableBufferPointer { buffer -> Int32 in
        var base = buffer.baseAddress
        return LLVMFuzzerRunDriver(&argc, &base) { data, size in
            selectedTarget.run(size == 0 ? Data() : Data(bytes: data!, count: size))
            return 0
        }
    }
    exit(status)
}
#else
func runFuzzer(_ target: FuzzTarget, _ arguments: [String]) -> Never {
    FileHandle.standardError.write(Data("this batchlab-fuzz was built without libFuzzer; run `make fuzz`, or `batchlab-fuzz replay`\n".utf8))
    exit(2)
}
#endif
