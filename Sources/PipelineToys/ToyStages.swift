// Engine self-test stage kinds (`toy.*`): tiny deterministic stages that let tests and `make bench`
// drive the real binary without any neural-network code (all `.portable`: no BLAS, so their keys
// leave the numeric environment out). Not part of the study, and not in the CLI's
// registry unless BATCHLAB_TOY_STAGES=1 is set (the CLI tests and `batchlab-bench pipeline` set it).
import Foundation
import Pipeline
import Store

public enum ToyStages {
    public static let all: [any Stage.Type] = [ToySource.self, ToySum.self, ToySleep.self, ToyFail.self,
                                                  ToyArray.self, ToyFiles.self, ToyCrash.self]

    /// Numbers, one per line, in Swift's shortest round-trip form.
    static func write(_ values: [Double], to url: URL) throws {
        try Data((values.map { String($0) }.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    static func read(_ url: URL) throws -> [Double] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map {
            guard let v = Double($0) else { throw ToyError.notANumber(String($0), url.path) }
            return v
        }
    }
}

public enum ToyError: Error, CustomStringConvertible {
    case notANumber(String, String)
    case requested(String)

    public var description: String {
        switch self {
        case let .notANumber(text, file): "toy stage: '\(text)' in \(file) is not a number"
        case let .requested(message): message
        }
    }
}

/// `toy.source`: writes n deterministic numbers derived from seed and scale.
public struct ToySource: Stage {
    public static let kind = "toy.source"
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 1
    public static let summary = "writes n deterministic numbers (engine self-test)"

    public struct Parameters: StageParameters {
        public var n = 4, seed = 1, scale = 1.0
        public init() {}
        public static var bindings: [ParamBinding<Parameters>] { [.field("n", \.n), .field("seed", \.seed), .field("scale", \.scale)] }
    }

    public static let inputs: [InputSpec] = []
    public static let outputs = [OutputSpec("values", .text)]

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let values = (0..<p.n).map { p.scale * Double((p.seed &* 31 &+ $0 &* 17) % 101) / 100 }
        try ToyStages.write(values, to: context.output("values"))
    }
}

/// `toy.sum`: adds every number of every input object (times scale, plus offset); reports the total as a metric.
public struct ToySum: Stage {
    public static let kind = "toy.sum"
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 1
    public static let summary = "sums the numbers of its inputs, times scale, plus offset (engine self-test)"

    public struct Parameters: StageParameters {
        public var offset = 0.0, scale = 1.0
        public init() {}
        public static var bindings: [ParamBinding<Parameters>] { [.field("offset", \.offset), .field("scale", \.scale)] }
    }

    public static let inputs = [InputSpec("values", many: true)]
    public static let outputs = [OutputSpec("total", .text)]

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        var total = 0.0
        for url in context.inputs("values") { total += try ToyStages.read(url).reduce(0, +) }
        total = total * p.scale + p.offset
        context.metric("total", total)
        try ToyStages.write([total], to: context.output("total"))
    }
}

/// `toy.sleep`: passes its inputs through after sleeping, reporting progress step by step.
public struct ToySleep: Stage {
    public static let kind = "toy.sleep"
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 1
    public static let summary = "sleeps, reporting progress, then passes its inputs through (engine self-test)"

    public struct Parameters: StageParameters {
        public var seconds = 1.0, steps = 10
        public init() {}
        public static var bindings: [ParamBinding<Parameters>] { [.field("seconds", \.seconds), .field("steps", \.steps)] }
    }

    public static let inputs = [InputSpec("values", many: true)]
    public static let outputs = [OutputSpec("values", .text)]

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let steps = max(1, p.steps)
        let start = Date()
        for step in 1...steps {
            Thread.sleep(forTimeInterval: p.seconds / Double(steps))
            context.progress("step \(step)/\(steps)")
        }
        context.measure("slept_seconds", Date().timeIntervalSince(start))
        let values = try context.inputs("values").flatMap(ToyStages.read)
        try ToyStages.write(values, to: context.output("values"))
    }
}

/// `toy.fail`: always throws (to test failure handling).
public struct ToyFail: Stage {
    public static let kind = "toy.fail"
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 1
    public static let summary = "always fails with its message (engine self-test)"

    public struct Parameters: StageParameters {
        public var message = "toy.fail failed as asked"
        public init() {}
        public static var bindings: [ParamBinding<Parameters>] { [.field("message", \.message)] }
    }

    public static let inputs: [InputSpec] = []
    public static let outputs = [OutputSpec("values", .text)]

    public static func run(_ context: StageContext) throws {
        throw ToyError.requested(try context.parameters(Parameters.self).message)
    }
}

/// `toy.crash`: ends its process the hard way, as a bug in C code or the OOM killer would: a
/// segmentation fault, an abort, or SIGKILL (to test that such a stage fails alone). Run it only
/// with a process per stage: as a thread it takes the whole batchlab process down.
public struct ToyCrash: Stage {
    public static let kind = "toy.crash"
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 1
    public static let summary = "crashes its process: segfault, abort or SIGKILL (engine self-test)"

    public enum Crash: String, Sendable, CaseIterable, ParamChoice { case segfault, abort, kill }

    public struct Parameters: StageParameters {
        public var how = Crash.segfault, seconds = 0.0
        public init() {}
        public static var bindings: [ParamBinding<Parameters>] {
            [.field("how", \.how, help: "segfault, abort or kill (SIGKILL, as the OOM killer sends)"),
             .field("seconds", \.seconds, help: "sleep this long first")]
        }
    }

    public static let inputs = [InputSpec("values", many: true, optional: true)]
    public static let outputs = [OutputSpec("values", .text)]

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        Thread.sleep(forTimeInterval: p.seconds)
        FileHandle.standardError.write(Data("toy.crash: crashing by \(p.how.rawValue) as asked\n".utf8))
        switch p.how {
        case .abort: abort()
        case .kill: kill(getpid(), SIGKILL)
        case .segfault:
            // A real invalid write (not raise()), as a bug in C code would make.
            UnsafeMutablePointer<Int>(bitPattern: 8)!.pointee = 1
        }
        Thread.sleep(forTimeInterval: 10)  // SIGKILL is asynchronous
        throw ToyError.requested("toy.crash: still alive after \(p.how.rawValue)")
    }
}

/// `toy.array`: an HDF5 file with a float64 dataset `/x` (n values from seed, plus `noise`·i) and
/// attributes; lets `diff` show numeric HDF5 differences within or beyond a tolerance.
public struct ToyArray: Stage {
    public static let kind = "toy.array"
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 1
    public static let summary = "writes an HDF5 array from seed and noise (engine self-test)"

    public struct Parameters: StageParameters {
        public var n = 16, seed = 1, noise = 0.0
        public init() {}
        public static var bindings: [ParamBinding<Parameters>] { [.field("n", \.n), .field("seed", \.seed), .field("noise", \.noise)] }
    }

    public static let inputs: [InputSpec] = []
    public static let outputs = [OutputSpec("array", .hdf5)]

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let (n, seed, noise) = (p.n, p.seed, p.noise)
        let values = (0..<n).map { Double((seed &* 7919 &+ $0 &* 104_729) % 1000) / 1000 + noise * Double($0) }
        let file = try HDF5File.create(context.output("array").path)
        try file.write("/x", HDF5Array<Double>(shape: [n], values: values))
        try file.setAttribute("seed", .int(Int64(seed)))
        try file.close()
        context.metric("mean", values.reduce(0, +) / Double(max(n, 1)))
    }
}

/// `toy.files`: lists the files of an external folder (relative path and size); the folder's contents
/// are an external input, so changing a file makes it stale.
public struct ToyFiles: Stage {
    public static let kind = "toy.files"
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 1
    public static let summary = "lists an external folder's files with their sizes (engine self-test)"

    public struct Parameters: StageParameters {
        public var folder = ""
        public init() {}
        public static var bindings: [ParamBinding<Parameters>] {
            [.field("folder", \.folder, help: "a folder outside the store", required: true)]
        }
    }

    public static let inputs: [InputSpec] = []
    public static let outputs = [OutputSpec("listing", .text)]

    public static func externalInputs(_ parameters: [String: ParamValue]) -> [String: String] {
        ["folder": (try? Parameters(parameters, stage: kind))?.folder ?? ""]
    }

    public static func run(_ context: StageContext) throws {
        let folder = try context.parameters(Parameters.self).folder
        let root = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath()
        guard let files = ExternalFingerprint.listing(root) else {
            throw ToyError.requested("toy.files: no folder at \(folder)")
        }
        try Data(files.map { "\($0.relativePath) \($0.stamp.size)\n" }.joined().utf8).write(to: context.output("listing"))
    }
}
