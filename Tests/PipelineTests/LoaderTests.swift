// Pipeline file parsing: fan-out names, input matching, defaults, typed values, located errors.
import XCTest
@testable import Pipeline

final class LoaderTests: XCTestCase {
    func testExamplePipelineFansOutAndGathers() throws {
        let path = fixturesURL.appendingPathComponent("../../../pipelines/examples/toy.yaml").standardized.path
        let graph = try PipelineLoader(registry: toyRegistry).load(path: path)
        XCTAssertEqual(graph.instances.map(\.name), [
            "source", "scaled@scale=0.5,seed=1", "scaled@scale=0.5,seed=2", "scaled@scale=2.0,seed=1",
            "scaled@scale=2.0,seed=2", "sum@offset=1.0", "sum@offset=10.0", "total",
        ])
        let sum = graph.instance("sum@offset=10.0")!
        XCTAssertEqual(sum.inputs["values"]!.map(\.description), [
            "source.values", "scaled@scale=0.5,seed=1.values", "scaled@scale=0.5,seed=2.values",
            "scaled@scale=2.0,seed=1.values", "scaled@scale=2.0,seed=2.values",
        ])
        XCTAssertEqual(sum.parameters["offset"], .double(10))
        XCTAssertEqual(graph.instance("source")!.parameters, ["n": .int(5), "seed": .int(7), "scale": .double(1)])
        XCTAssertEqual(graph.instance("total")!.inputs["values"]!.map(\.stage), ["sum@offset=1.0", "sum@offset=10.0"])
    }

    func testMatchingCoordinatesPairInstances() throws {
        let graph = try load("""
            stages:
              data:
                kind: toy.source
                matrix: {scale: [1, 2]}
              total:
                kind: toy.sum
                matrix: {scale: [1, 2], offset: [3, 4]}
                inputs: {values: data.values}
              pick:
                kind: toy.sleep
                inputs: {values: "total@scale=2.0,offset=4.0.total"}
            """)
        XCTAssertEqual(graph.instance("total@scale=2.0,offset=3.0")!.inputs["values"]!.map(\.stage), ["data@scale=2.0"])
        XCTAssertEqual(graph.instance("pick")!.inputs["values"]!.map(\.stage), ["total@scale=2.0,offset=4.0"])
        XCTAssertEqual(graph.dependencies[graph.instanceIndex("pick")!], [graph.instanceIndex("total@scale=2.0,offset=4.0")!])
    }

    func testTopologicalOrderPutsProducersFirst() throws {
        let graph = try load("""
            stages:
              total: {kind: toy.sum, inputs: {values: [a.values, b.values]}}
              b: {kind: toy.sleep, inputs: {values: a.values}}
              a: {kind: toy.source}
            """)
        XCTAssertEqual(graph.instances.map(\.name), ["a", "b", "total"])
        XCTAssertEqual(graph.dependents[0], [1, 2])
    }

    func testErrorsCarryFileLineColumn() {
        XCTAssertEqual(loadError("stages:\n  s:\n    kind: toy.source\n    params: {n: 2.5}\n"),
                       "test.yaml:4:17: parameter 'n' of stage 's' must be an integer, found a number '2.5'")
        XCTAssertEqual(loadError("stages:\n  s:\n    kind: toy.source\n    params: {scale: true}\n"),
                       "test.yaml:4:21: parameter 'scale' of stage 's' must be a number, found a boolean 'true'")
        XCTAssertEqual(loadError(""), "test.yaml:1:1: the pipeline file is missing a 'stages' mapping")
    }

    func testOverridesAreTypedAndChecked() throws {
        let text = """
            stages:
              source: {kind: toy.source, matrix: {seed: [1, 2]}}
              total: {kind: toy.sum, inputs: {values: source.values}}
            """
        let graph = try load(text, overrides: ["source.n=9", "source@seed=2.scale=0.25", "total.offset=3"])
        XCTAssertEqual(graph.instance("source@seed=1")!.parameters["n"], .int(9))
        XCTAssertEqual(graph.instance("source@seed=1")!.parameters["scale"], .double(1))
        XCTAssertEqual(graph.instance("source@seed=2")!.parameters["scale"], .double(0.25))
        XCTAssertEqual(graph.instance("total")!.parameters["offset"], .double(3))
        XCTAssertEqual(loadError(text, overrides: ["source.n=nine"]), "--set source.n=nine: 'nine' is not an integer")
        XCTAssertEqual(loadError(text, overrides: ["source.nn=3"]),
                       "--set source.nn=3: stage 'source' (kind toy.source) has no parameter 'nn' (did you mean 'n'?); "
                       + "its parameters: n, seed, scale")
        XCTAssertEqual(loadError(text, overrides: ["sorce.n=3"]), "--set sorce.n=3: no stage named 'sorce' (did you mean 'source'?)")
        XCTAssertEqual(loadError(text, overrides: ["source.seed=3"]),
                       "--set source.seed=3: 'seed' is a fan-out key of 'source' (matrix/foreach); it names instances, "
                       + "so change it in the pipeline file")
        XCTAssertEqual(loadError(text, overrides: ["n=3"]), "--set n=3: expected stage.parameter=value, e.g. --set train.epochs=5")
    }
}
