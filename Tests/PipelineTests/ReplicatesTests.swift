// `replicates: N`: instances per replicate, replicate 1's key equal to the unreplicated run's,
// analyses routed to the same replicate, partial references, `--set stage.replicates=N`, located errors.
import XCTest
@testable import Pipeline
import PipelineToys

/// A kind that takes replicates (declares `replicate`), like `train`.
private struct ReplicatedRun: Stage {
    static let kind = "test.run"
    static let codeVersion = 1
    static let summary = "a run with a replicate parameter"
    static let parameters = [ParamSpec("bs", .int), ParamSpec("seed", .int, default: .int(1)),
                             ParamSpec(Replicates.parameter, .int, default: .int(1))]
    static let inputs: [InputSpec] = []
    static let outputs = [OutputSpec("checkpoint", .text)]
    static func run(_ context: StageContext) throws {}
}

/// An analysis of one run, routed by shared coordinates (bs, replicate).
private struct Analysis: Stage {
    static let kind = "test.analysis"
    static let codeVersion = 1
    static let summary = "reads one run"
    static let parameters = [ParamSpec("bs", .int, default: .int(0)), ParamSpec(Replicates.parameter, .int, default: .int(1))]
    static let inputs = [InputSpec("checkpoint")]
    static let outputs = [OutputSpec("result", .text)]
    static func run(_ context: StageContext) throws {}
}

/// A pair of runs (like interpolate): two single inputs.
private struct Pair: Stage {
    static let kind = "test.pair"
    static let codeVersion = 1
    static let summary = "reads two runs"
    static let parameters = [ParamSpec(Replicates.parameter, .int, default: .int(1))]
    static let inputs = [InputSpec("small"), InputSpec("large")]
    static let outputs = [OutputSpec("result", .text)]
    static func run(_ context: StageContext) throws {}
}

final class ReplicatesTests: XCTestCase {
    private let registry = StageRegistry([ReplicatedRun.self, Analysis.self, Pair.self] + ToyStages.all)

    private func graph(_ text: String, overrides: [String] = []) throws -> PipelineGraph {
        try PipelineLoader(registry: registry).load(text: text, file: "r.yaml", overrides: overrides)
    }

    private func error(_ text: String, overrides: [String] = []) -> String? {
        do { _ = try graph(text, overrides: overrides); return nil } catch { return "\(error)" }
    }

    private func key(_ instance: StageInstance) -> String {
        KeyMaterial(kind: instance.kind.kind, codeVersion: instance.kind.codeVersion, parameters: instance.parameters,
                    inputs: [:]).key
    }

    private let study = """
        stages:
          train:
            kind: test.run
            foreach: [{bs: 32}, {bs: 256}]
            replicates: 3
          sharp:
            kind: test.analysis
            foreach: [{bs: 32}, {bs: 256}]
            replicates: 3
            inputs: {checkpoint: train.checkpoint}
          pair:
            kind: test.pair
            replicates: 3
            inputs: {small: "train@bs=32.checkpoint", large: "train@bs=256.checkpoint"}
          across:
            kind: test.pair
            inputs: {small: "train@bs=32,replicate=1.checkpoint", large: "train@bs=256,replicate=2.checkpoint"}
        """

    func testInstancesAreNamedPerReplicateAndAnalysesFollowTheirReplicate() throws {
        let g = try graph(study)
        XCTAssertEqual(g.instances.filter { $0.group == "train" }.map(\.name), [
            "train@bs=32,replicate=1", "train@bs=32,replicate=2", "train@bs=32,replicate=3",
            "train@bs=256,replicate=1", "train@bs=256,replicate=2", "train@bs=256,replicate=3",
        ])
        XCTAssertEqual(g.instance("train@bs=256,replicate=2")!.parameters[Replicates.parameter], .int(2))
        XCTAssertEqual(g.instance("sharp@bs=256,replicate=2")!.inputs["checkpoint"]!.map(\.stage), ["train@bs=256,replicate=2"])
        // A partial reference names the batch size; the replicate follows the consumer's.
        let pair = g.instance("pair@replicate=3")!
        XCTAssertEqual(pair.inputs["small"]!.map(\.stage), ["train@bs=32,replicate=3"])
        XCTAssertEqual(pair.inputs["large"]!.map(\.stage), ["train@bs=256,replicate=3"])
        // Named in full, across replicates (minimizers from different initial weights).
        let across = g.instance("across")!
        XCTAssertEqual(across.inputs["small"]!.map(\.stage), ["train@bs=32,replicate=1"])
        XCTAssertEqual(across.inputs["large"]!.map(\.stage), ["train@bs=256,replicate=2"])
    }

    func testReplicateOneKeepsTheUnreplicatedKeyAndMoreReplicatesReuseTheFirst() throws {
        let single = try graph("stages:\n  train:\n    kind: test.run\n    foreach: [{bs: 32}]\n")
        let three = try graph("stages:\n  train:\n    kind: test.run\n    foreach: [{bs: 32}]\n    replicates: 3\n")
        let five = try graph("stages:\n  train:\n    kind: test.run\n    foreach: [{bs: 32}]\n    replicates: 5\n")
        XCTAssertEqual(key(three.instances[0]), key(single.instances[0]), "replicate 1 is the run without replicates")
        XCTAssertEqual(Array(five.instances.prefix(3)).map(key), three.instances.map(key), "3 → 5 reuses the first three")
        XCTAssertEqual(Set(five.instances.map(key)).count, 5, "every replicate its own key")
    }

    func testSetOverridesTheReplicateCount() throws {
        let g = try graph(study, overrides: ["train.replicates=2", "sharp.replicates=2", "pair.replicates=2"])
        XCTAssertEqual(g.instances.filter { $0.group == "train" }.count, 4)
        XCTAssertEqual(g.instances.filter { $0.group == "pair" }.count, 2)
        XCTAssertEqual(error(study, overrides: ["nosuch.replicates=2"]),
                       "--set nosuch.replicates=2: no stage named 'nosuch'")
        XCTAssertNotNil(error(study, overrides: ["train.replicates=0"])?.contains("from 1 to 100"))
    }

    func testBadReplicatesAreLocatedErrors() {
        XCTAssertEqual(error("stages:\n  s:\n    kind: toy.source\n    replicates: 2\n"),
                       "r.yaml:4:17: replicates of stage 's': stage kind 'toy.source' does not take replicates (it has no 'replicate' parameter)")
        XCTAssertEqual(error("stages:\n  s:\n    kind: test.run\n    params: {bs: 1}\n    replicates: 0\n"),
                       "r.yaml:5:17: replicates of stage 's': give a whole number from 1 to 100")
        XCTAssertEqual(error("stages:\n  s:\n    kind: test.run\n    foreach: [{bs: 1, replicate: 2}]\n    replicates: 2\n"),
                       "r.yaml:2:3: stage 's': 'replicate' is set in params/foreach/matrix and 'replicates' is given; keep one")
    }
}

/// A `foreach` entry's own count (`{bs: 32, replicates: 4}`): more replicates of some configurations,
/// replicate r of them the same instance and key as under a stage-wide count (pipelines/study-extended.yaml).
final class EntryReplicatesTests: XCTestCase {
    private let registry = StageRegistry([ReplicatedRun.self, Analysis.self] + ToyStages.all)

    private func graph(_ text: String, overrides: [String] = []) throws -> PipelineGraph {
        try PipelineLoader(registry: registry).load(text: text, file: "r.yaml", overrides: overrides)
    }

    private func error(_ text: String) -> String? {
        do { _ = try graph(text); return nil } catch { return "\(error)" }
    }

    private func keys(_ g: PipelineGraph) -> [String: String] {
        Dictionary(uniqueKeysWithValues: g.instances.map {
            ($0.name, KeyMaterial(kind: $0.kind.kind, codeVersion: $0.kind.codeVersion, parameters: $0.parameters, inputs: [:]).key)
        })
    }

    private func study(_ entries: String, _ analysisEntries: String) -> String {
        """
        stages:
          train:
            kind: test.run
            replicates: 2
            foreach: \(entries)
          sharp:
            kind: test.analysis
            replicates: 2
            foreach: \(analysisEntries)
            inputs: {checkpoint: train.checkpoint}
        """
    }

    func testAnEntrysCountAddsReplicatesOfThatEntryOnlyWithTheSameKeys() throws {
        let base = try graph(study("[{bs: 32}, {bs: 256}]", "[{bs: 32}, {bs: 256}]"))
        let more = try graph(study("[{bs: 32, replicates: 4}, {bs: 256}]", "[{bs: 32, replicates: 4}, {bs: 256}]"))
        XCTAssertEqual(more.instances.filter { $0.group == "train" }.map(\.name), [
            "train@bs=32,replicate=1", "train@bs=32,replicate=2", "train@bs=32,replicate=3", "train@bs=32,replicate=4",
            "train@bs=256,replicate=1", "train@bs=256,replicate=2",
        ], "the count is no coordinate: the names are those of a stage-wide count")
        XCTAssertNil(more.instance("train@bs=32,replicate=4")!.parameters["replicates"], "not a parameter")
        let before = keys(base), after = keys(more)
        for (name, key) in before { XCTAssertEqual(after[name], key, "\(name) keeps its key") }
        XCTAssertEqual(Set(after.keys).subtracting(before.keys).sorted(),
                       ["sharp@bs=32,replicate=3", "sharp@bs=32,replicate=4", "train@bs=32,replicate=3", "train@bs=32,replicate=4"])
        XCTAssertEqual(Set(after.values).count, after.count, "every instance its own key")
        // The analysis follows its replicate; replicate r of the entry is the stage-wide count's replicate r.
        XCTAssertEqual(more.instance("sharp@bs=32,replicate=4")!.inputs["checkpoint"]!.map(\.stage), ["train@bs=32,replicate=4"])
        let wide = keys(try graph(study("[{bs: 32}, {bs: 256}]", "[{bs: 32}, {bs: 256}]")
            .replacingOccurrences(of: "replicates: 2", with: "replicates: 4")))
        for (name, key) in after { XCTAssertEqual(wide[name], key, name) }
    }

    func testSetSetsEveryEntrysCount() throws {
        let g = try graph(study("[{bs: 32, replicates: 4}, {bs: 256}]", "[{bs: 32}, {bs: 256}]"),
                          overrides: ["train.replicates=3"])
        XCTAssertEqual(g.instances.filter { $0.group == "train" }.map(\.name), [
            "train@bs=32,replicate=1", "train@bs=32,replicate=2", "train@bs=32,replicate=3",
            "train@bs=256,replicate=1", "train@bs=256,replicate=2", "train@bs=256,replicate=3",
        ])
    }

    func testBadEntryCountsAreLocatedErrors() {
        XCTAssertEqual(error("stages:\n  s:\n    kind: test.run\n    replicates: 2\n    foreach: [{bs: 1, replicates: 0}]\n"),
                       "r.yaml:5:35: replicates of a foreach entry of stage 's': give a whole number from 1 to 100")
        XCTAssertEqual(error("stages:\n  s:\n    kind: test.run\n    foreach: [{bs: 1, replicates: 3}, {bs: 2}]\n"),
                       "r.yaml:4:35: replicates of a foreach entry of stage 's': give the stage its own 'replicates: N' too "
                           + "(the count of the other entries)")
        XCTAssertEqual(error("stages:\n  s:\n    kind: test.run\n    replicates: 2\n    foreach: [{replicates: 3}]\n"),
                       "r.yaml:5:15: a foreach entry of stage 's' is missing parameter values beside 'replicates'")
        XCTAssertNotNil(error("stages:\n  s:\n    kind: test.run\n    replicates: 2\n    foreach: [{bs: 1, replicates: many}]\n"))
    }
}

final class ReplicateReferenceTests: XCTestCase {
    func testReplicateOneNamesTheUnreplicatedInstanceToo() throws {
        let registry = StageRegistry(ToyStages.all)
        // toy kinds have no replicate parameter: a reference by a parameter they lack matches nothing.
        XCTAssertThrowsError(try PipelineLoader(registry: registry).load(text: """
            stages:
              a: {kind: toy.source}
              b: {kind: toy.sum, inputs: {values: "a@replicate=1.values"}}
            """, file: "r.yaml"))
        // A partial reference matches parameters, defaults included: seed=7 is toy.source's own.
        let g = try PipelineLoader(registry: registry).load(text: """
            stages:
              a: {kind: toy.source, params: {seed: 7}}
              b: {kind: toy.sum, inputs: {values: "a@seed=7.values"}}
            """, file: "r.yaml")
        XCTAssertEqual(g.instance("b")!.inputs["values"]!.map(\.stage), ["a"])
    }
}
