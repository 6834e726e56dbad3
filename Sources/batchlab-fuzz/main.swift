// batchlab-fuzz: the libFuzzer targets (built by `make fuzz` with -sanitize=fuzzer) and, in every
// build, a replayer of their corpora and past crashers (`make test` runs it over Fuzz/).
//   batchlab-fuzz replay DIR                     every file of DIR/corpus/T and DIR/regressions/T through T
//   batchlab-fuzz replay TARGET FILE|DIR...       files through one target
//   batchlab-fuzz TARGET [libFuzzer options] DIR  fuzz (make fuzz builds only)
import Foundation

func files(_ paths: [String]) -> [URL] {
    paths.flatMap { path -> [URL] in
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [URL(fileURLWithPath: path)] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { URL(fileURLWithPath: path).appendingPathComponent($0) }
    }
}

func replay(_ target: FuzzTarget, _ inputs: [URL]) {
    let start = Date()
    for url in inputs {
        guard let data = try? Data(contentsOf: url) else { continue }
        target.run(data)
    }
    print("replayed \(inputs.count) inputs through \(target.rawValue) in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
}

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: batchlab-fuzz replay FUZZDIR | batchlab-fuzz replay TARGET FILE|DIR... | batchlab-fuzz TARGET [libFuzzer args]
        targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))

        """.utf8))
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { usage() }
if arguments[1] == "replay" {
    if arguments.count == 3 {
        for target in FuzzTarget.allCases {
            let inputs = files(["\(arguments[2])/corpus/\(target.rawValue)", "\(arguments[2])/regressions/\(target.rawValue)"])
            guard !inputs.isEmpty else { FileHandle.standardError.write(Data("no inputs for \(target.rawValue)\n".utf8)); exit(1) }
            replay(target, inputs)
        }
    } else if arguments.count > 3, let target = FuzzTarget(rawValue: arguments[2]) {
        replay(target, files(Array(arguments[3...])))
    } else {
        usage()
    }
    exit(0)
}
if let target = FuzzTarget(rawValue: arguments[1]) {
    runFuzzer(target, Array(arguments.dropFirst(1)))
}
// A child libFuzzer started (fork or merge mode): options only, the target in the environment.
guard let name = ProcessInfo.processInfo.environment[targetVariable], let target = FuzzTarget(rawValue: name) else { usage() }
runFuzzer(target, [name] + arguments.dropFirst())
