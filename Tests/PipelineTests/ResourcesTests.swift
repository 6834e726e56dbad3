// The `resources:` blocks (file defaults, per stage), `retries:` and `executor:` of a pipeline file:
// typed at load, stage values over file defaults, never part of a cache key. Bad values are in the
// broken corpus (Fixtures/broken/3*.yaml) with their exact messages.
import XCTest
@testable import Pipeline

final class ResourcesTests: XCTestCase {
    let text = """
        executor: slurm
        resources: {cpus: 2, time: "1:00:00"}
        stages:
          source:
            kind: toy.source
            matrix: {seed: [1, 2]}
            retries: 3
            resources: {mem: 4G, partition: long, array_limit: 1}
          sum:
            kind: toy.sum
            resources: {cpus: 1, time: 30}
            inputs: {values: source.values}
        """

    func testStageResourcesApplyOverTheFileDefaults() throws {
        let graph = try load(text)
        XCTAssertEqual(graph.executor, .slurm)
        let source = try XCTUnwrap(graph.instance("source@seed=1")).resources
        XCTAssertEqual(source.cpus, 2)
        XCTAssertEqual(source.time, "1:00:00")
        XCTAssertEqual(source.memory, "4G")
        XCTAssertEqual(source.partition, "long")
        XCTAssertEqual(source.arrayLimit, 1)
        XCTAssertEqual(source.retries, 3)
        let sum = try XCTUnwrap(graph.instance("sum")).resources
        XCTAssertEqual(sum.cpus, 1)
        XCTAssertEqual(sum.time, "30")
        XCTAssertNil(sum.memory)
        XCTAssertEqual(sum.retries, 0)
        XCTAssertEqual(try load("stages:\n  s: {kind: toy.source}\n").instance("s")?.resources, StageResources())
    }

    func testResourcesAreNotPartOfTheCacheKey() throws {
        let plain = try load("stages:\n  s: {kind: toy.source}\n")
        let asked = try load("stages:\n  s: {kind: toy.source, retries: 2, resources: {cpus: 8, mem: 64G}}\n")
        let key = { (graph: PipelineGraph) in
            FreshnessCheck.material(of: graph.instance("s")!) { _ in nil }!.key
        }
        XCTAssertEqual(key(plain), key(asked))
    }

    func testSlurmTimeSyntax() {
        for good in ["30", "30:00", "2:00:00", "1-0", "1-12:00", "1-12:00:00"] { XCTAssertTrue(StageResources.validTime(good), good) }
        for bad in ["0", "1:75:00", "1h", "-1", "1-", ":30", ""] { XCTAssertFalse(StageResources.validTime(bad), bad) }
    }
}
