// Runs a study stage body directly (no executor): a StageContext over a temporary scratch folder.
import Foundation
import Pipeline
import XCTest

final class StageHarness {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("study-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Runs `kind` with defaults overridden by `parameters`; returns its context (outputs, metrics).
    @discardableResult
    func run(_ kind: any Stage.Type, _ parameters: [String: ParamValue] = [:], inputs: [String: URL] = [:],
             resume: URL? = nil, threads: Int = 1, tag: String = UUID().uuidString) throws -> StageContext {
        var values: [String: ParamValue] = [:]
        for spec in kind.parameters { if let d = spec.defaultValue { values[spec.name] = d } }
        for (k, v) in parameters { values[k] = v }
        let scratch = root.appendingPathComponent(tag)
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("out"), withIntermediateDirectories: true)
        let context = StageContext(instance: kind.kind, parameters: values, inputs: inputs.mapValues { [$0] },
                                   outputs: Dictionary(uniqueKeysWithValues: kind.outputs.map { ($0.name, $0.format) }),
                                   scratch: scratch, threads: threads, resumeDirectory: resume)
        try kind.run(context)
        return context
    }
}
