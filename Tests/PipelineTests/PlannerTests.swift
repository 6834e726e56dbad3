// Planning (pure) and status reasons against an in-memory index.
import XCTest
@testable import Pipeline

final class PlannerTests: XCTestCase {
    let text = """
        stages:
          data: {kind: toy.source}
          other: {kind: toy.source, params: {seed: 5}}
          train: {kind: toy.sleep, matrix: {steps: [1, 2]}, inputs: {values: data.values}}
          report: {kind: toy.sum, inputs: {values: train.values}}
          side: {kind: toy.sum, inputs: {values: [report.total, other.values]}}
        """

    func names(_ graph: PipelineGraph, _ indices: some Sequence<Int>) -> [String] {
        indices.sorted().map { graph.instances[$0].name }
    }

    func testPlanTargetsGroupsUpstreamAndDownstream() throws {
        let graph = try load(text)
        XCTAssertEqual(names(graph, try Planner.plan(graph).steps), graph.instances.map(\.name))
        XCTAssertEqual(names(graph, try Planner.plan(graph, targets: ["train"]).steps),
                       ["data", "train@steps=1", "train@steps=2"])
        XCTAssertEqual(names(graph, try Planner.plan(graph, targets: ["train@steps=2"]).steps), ["data", "train@steps=2"])
        let down = try Planner.plan(graph, targets: ["train@steps=2"], downstream: true, force: true)
        XCTAssertEqual(names(graph, down.steps),
                       ["data", "other", "train@steps=1", "train@steps=2", "report", "side"])
        XCTAssertEqual(names(graph, down.forced), ["train@steps=2", "report", "side"])
        XCTAssertEqual(try Planner.plan(graph, targets: ["report"]).forced, [])
        XCTAssertThrowsError(try Planner.plan(graph, targets: ["trian"])) {
            XCTAssertEqual("\($0)", "unknown stage 'trian' (did you mean 'train'?)\n  see `batchlab dag` for all stages")
        }
    }

    func testStatusReasons() throws {
        let lookup = MemoryLookup()
        let graph = try load(text)
        var statuses = try StatusCheck.evaluate(graph, plan: Planner.plan(graph), lookup: lookup)
        XCTAssertEqual(statuses.map { status -> [StaleReason] in
            if case .stale(_, let reasons) = status.freshness { reasons } else { [] }
        }, [[.neverRun], [.neverRun], [.upstreamStale(["data"]), .neverRun], [.upstreamStale(["data"]), .neverRun],
            [.upstreamStale(["train@steps=1", "train@steps=2"]), .neverRun], [.upstreamStale(["other", "report"]), .neverRun]])

        try lookup.runAll(graph)
        statuses = try StatusCheck.evaluate(graph, plan: Planner.plan(graph), lookup: lookup)
        XCTAssertTrue(statuses.allSatisfy(\.freshness.isFresh))

        // A parameter change: the stage says which, its dependents say their input changed upstream.
        let changed = try load(text, overrides: ["data.n=6"])
        statuses = try StatusCheck.evaluate(changed, plan: Planner.plan(changed), lookup: lookup)
        func reasons(_ name: String) -> [String] {
            guard case .stale(_, let r) = statuses.first(where: { $0.name == name })!.freshness else { return ["fresh"] }
            return r.map(\.description)
        }
        XCTAssertEqual(reasons("data"), ["parameter n changed 4 → 6"])
        XCTAssertEqual(reasons("train@steps=1"), ["upstream stale: data"])
        XCTAssertEqual(reasons("other"), ["fresh"])

        // A missing or damaged output makes its stage stale.
        let source = lookup.executions.first { $0.stage == "other" }!.record.outputs["values"]!
        lookup.missing.insert(source.hash)
        statuses = try StatusCheck.evaluate(graph, plan: Planner.plan(graph), lookup: lookup)
        XCTAssertEqual(reasons("other"), ["output values missing"])
        lookup.missing = []
        lookup.damaged.insert(source.hash)
        statuses = try StatusCheck.evaluate(graph, plan: Planner.plan(graph), lookup: lookup)
        XCTAssertEqual(reasons("other"), ["output values corrupted (size differs from the record)"])
        lookup.damaged = []

        // After the upstream reruns with new content, the dependent names its changed input.
        try lookup.runAll(changed)
        let back = try load(text)
        let fakeUpstream = lookup.executions.first { $0.stage == "data" }!
        lookup.executions.append(fakeUpstream)  // data's old outputs are the latest again
        statuses = try StatusCheck.evaluate(back, plan: Planner.plan(back), lookup: lookup)
        XCTAssertEqual(reasons("data"), ["fresh"])
        XCTAssertEqual(reasons("train@steps=1"), ["fresh"])
    }

    func testCodeVersionAndInputChangeReasons() throws {
        let lookup = MemoryLookup()
        let graph = try load("stages:\n  s: {kind: toy.sum, inputs: {values: d.values}}\n  d: {kind: toy.source}\n")
        try lookup.runAll(graph)
        let s = graph.instance("s")!
        let last = lookup.executions.last!.record.material!
        let older = KeyMaterial(kind: last.kind, codeVersion: 0, parameters: ["offset": .double(0)],
                                inputs: ["values": ["other-hash"]])
        lookup.executions.append(("s", PastExecution(key: older.key, material: older, outputs: [:], succeeded: true, error: nil)))
        lookup.executions.removeAll { $0.stage == "s" && $0.record.key == last.key }
        let freshness = try FreshnessCheck.evaluate(s, material: last, staleUpstream: [], forced: false, lookup: lookup)
        guard case .stale(_, let reasons) = freshness else { return XCTFail("expected stale") }
        XCTAssertEqual(reasons.map(\.description), ["code version changed 0 → 1", "parameter scale added (1.0)", "input values changed"])
    }
}
