// Runs a study stage body directly (no executor): a StageContext over a temporary scratch folder.
import Foundation
import Pipeline
import Store
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
             manyInputs: [String: [URL]] = [:], resume: URL? = nil, threads: Int = 1, index: StageIndexReader? = nil,
             inputObjects: [String: [StoredObject]] = [:], runID: Int64? = nil,
             tag: String = UUID().uuidString) throws -> StageContext {
        var values: [String: ParamValue] = [:]
        for spec in kind.parameters { if let d = spec.defaultValue { values[spec.name] = d } }
        for (k, v) in parameters { values[k] = v }
        let scratch = root.appendingPathComponent(tag)
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("out"), withIntermediateDirectories: true)
        var urls = inputs.mapValues { [$0] }.merging(manyInputs) { $1 }
        for spec in kind.inputs where urls[spec.name] == nil && spec.optional { urls[spec.name] = [] }  // as StageRunner does
        let context = StageContext(instance: kind.kind, parameters: values, inputs: urls,
                                   outputs: Dictionary(uniqueKeysWithValues: kind.outputs.map { ($0.name, $0.format) }),
                                   scratch: scratch, threads: threads, resumeDirectory: resume,
                                   inputObjects: inputObjects, runID: runID, index: index)
        try kind.run(context)
        return context
    }
}
