// Optional inputs: a stage kind may declare inputs the pipeline file leaves out; required ones stay required.
import Foundation
@testable import Pipeline
import PipelineToys
import XCTest

/// A test kind with one required and one optional list input.
private struct Gather: Stage {
    static let kind = "test.gather"
    static let codeVersion = 1
    static let summary = "counts its inputs"
    static let parameters: [ParamSpec] = []
    static let inputs = [InputSpec("values", many: true), InputSpec("extra", many: true, optional: true)]
    static let outputs = [OutputSpec("count", .text)]
    static func run(_ context: StageContext) throws {
        try Data("\(context.inputs("values").count) \(context.inputs("extra").count)".utf8).write(to: context.output("count"))
    }
}

final class OptionalInputTests: XCTestCase {
    let registry = StageRegistry(ToyStages.all + [Gather.self])

    func testAnOptionalInputMayBeLeftOutAndARequiredOneMayNot() throws {
        let loader = PipelineLoader(registry: registry)
        let graph = try loader.load(text: """
            stages:
              a: {kind: toy.source}
              g: {kind: test.gather, inputs: {values: a.values}}
            """, file: "optional.yaml")
        XCTAssertNil(graph.instance("g")!.inputs["extra"], "not wired")
        let wired = try loader.load(text: """
            stages:
              a: {kind: toy.source}
              g: {kind: test.gather, inputs: {values: a.values, extra: [a.values, a.values]}}
            """, file: "optional.yaml")
        XCTAssertEqual(wired.instance("g")!.inputs["extra"]!.count, 2)
        XCTAssertThrowsError(try loader.load(text: """
            stages:
              a: {kind: toy.source}
              g: {kind: test.gather, inputs: {extra: a.values}}
            """, file: "optional.yaml")) { error in
            XCTAssertTrue("\(error)".contains("input 'values'"), "\(error)")
        }
    }

    func testTheBodySeesNoObjectsForAnUnwiredOptionalInput() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("optional-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("pipelines"), withIntermediateDirectories: true)
        try Data("""
            stages:
              a: {kind: toy.source}
              g: {kind: test.gather, inputs: {values: a.values}}
            """.utf8).write(to: root.appendingPathComponent("pipelines/o.yaml"))
        let workspace = Workspace(root: root, registry: registry, numericEnvironment: NumericIdentity(["conv_engine": "test"]))
        let summary = try workspace.reproduce(ReproduceRequest(pipeline: "pipelines/o.yaml"), reporter: PlainProgress(),
                                              onWait: { _ in })
        XCTAssertEqual(summary.executed.sorted(), ["a", "g"])
        let artifacts = try workspace.openArtifacts()
        let g = try artifacts.index.executions(ofRun: summary.run).first { $0.stage == "g" }!
        let output = try artifacts.index.outputs(ofExecution: g.id!).first!
        XCTAssertEqual(try String(contentsOf: artifacts.objects.url(of: output.objectHash), encoding: .utf8), "1 0")
    }
}
