// An index error ends the run, but only after the bodies running on threads of this process have
// stopped: the CLI exits right after the error, and exiting beneath a body inside OpenBLAS crashed
// the process (exit-time teardown frees what the body still uses: exit 139 with `train` on threads).
import Foundation
import XCTest
@testable import Pipeline
import PipelineToys
import Store

/// What the waiting body saw, shared with the test.
final class WaitLog: @unchecked Sendable {
    static let shared = WaitLog()
    private let lock = NSLock()
    private var endedByStop = false, ended = false

    func end(byStop: Bool) { lock.withLock { ended = true; endedByStop = byStop } }
    func reset() { lock.withLock { ended = false; endedByStop = false } }
    var state: (ended: Bool, byStop: Bool) { lock.withLock { (ended, endedByStop) } }
}

/// Runs until a stop request (at most 20 s), like a training body between epochs.
struct WaitForStopStage: Stage {
    static let kind = "test.wait"
    static let codeVersion = 1
    static let summary = "waits for a stop request"
    static let numerics = StageNumerics.portable
    static let inputs: [InputSpec] = []
    static let outputs = [OutputSpec("values", .text)]

    static func run(_ context: StageContext) throws {
        let deadline = Date().addingTimeInterval(20)
        while !context.stop.isRequested && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        WaitLog.shared.end(byStop: context.stop.isRequested)
        try context.stop.check(stage: context.instance, kept: "nothing")
        try Data("1\n".utf8).write(to: context.output("values"))
    }
}

/// The production store, whose index refuses to record one stage's success (a full disk, a damaged file).
final class RefusingStore: ArtifactStore, @unchecked Sendable {
    struct Refused: Error {}
    let backend: StoreBackend
    let refused: String

    init(_ backend: StoreBackend, refusing stage: String) {
        self.backend = backend
        refused = stage
    }

    func record(_ outcome: ExecutionOutcome, run: Int64) throws {
        if outcome.stage == refused && outcome.status == .succeeded { throw Refused() }
        try backend.record(outcome, run: run)
    }

    func record(_ outcomes: [ExecutionOutcome], run: Int64) throws { for o in outcomes { try record(o, run: run) } }
    func execution(forKey key: String) throws -> PastExecution? { try backend.execution(forKey: key) }
    func lastExecution(ofStage name: String) throws -> PastExecution? { try backend.lastExecution(ofStage: name) }
    func state(of object: StoredObject) -> ObjectPresence { backend.state(of: object) }
    func url(of object: StoredObject) -> URL { backend.url(of: object) }
    func isIntact(_ object: StoredObject) throws -> Bool { try backend.isIntact(object) }
    func ingest(_ file: URL) throws -> StoredObject { try backend.ingest(file) }
    func makeScratch(for stage: String) throws -> URL { try backend.makeScratch(for: stage) }
    func beginRun(_ info: RunInfo) throws -> Int64 { try backend.beginRun(info) }
    func finishRun(_ run: Int64, status: RunResult) throws { try backend.finishRun(run, status: status) }
}

final class IndexErrorTeardownTests: XCTestCase {
    func testAnIndexErrorWaitsForTheBodiesRunningOnThreads() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("teardown-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let graph = try PipelineLoader(registry: StageRegistry(ToyStages.all + [WaitForStopStage.self]))
            .load(text: "stages:\n  waiter: {kind: test.wait}\n  quick: {kind: toy.source}\n", file: "p.yaml")
        let store = RefusingStore(StoreBackend(try Artifacts(root: root)), refusing: "quick")
        var options = ExecutionOptions(jobs: 2, cores: 2)
        options.executor = .threads
        WaitLog.shared.reset()
        let started = Date()
        XCTAssertThrowsError(try Executor(graph: graph, plan: Planner.plan(graph), store: store, options: options,
                                          reporter: PlainProgress()).run(
            RunInfo(pipelineFile: "p.yaml", pipelineHash: "h", overrides: [], command: "reproduce", jobs: 2, threadsPerStage: 1))
        ) { XCTAssertTrue($0 is RefusingStore.Refused, "\($0)") }
        let state = WaitLog.shared.state
        XCTAssertTrue(state.ended, "the run ended while a body was still running on one of its threads")
        XCTAssertTrue(state.byStop, "the body was asked to stop rather than left to run out its time")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }
}
