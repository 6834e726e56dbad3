// The shipped pipeline files load and plan with the study's stage kinds (no training), so a malformed
// edit of pipelines/study.yaml or pipelines/cats-vs-dogs.yaml fails CI; and the two files run the same
// training grid under the same stage names, so analysis stages fit both.
import Foundation
import Pipeline
import Study
import TestSupport
import XCTest

final class PipelineFilesTests: XCTestCase {
    let loader = PipelineLoader(registry: StageRegistry(StudyStages.all))

    func load(_ name: String) throws -> PipelineGraph {
        try loader.load(path: repositoryRoot.appendingPathComponent("pipelines/\(name)").path)
    }

    /// (batch size, lr) of every train instance, in plan order.
    func grid(_ graph: PipelineGraph) throws -> [String] {
        try Planner.plan(graph).steps.map { graph.instances[$0] }.filter { $0.group == "train" }.map {
            "\($0.parameters["batch_size"]!.intValue!)@\($0.parameters["lr"]!.doubleValue!)"
        }
    }

    func testBothPipelineFilesLoadAndPlanTheSameTrainingGrid() throws {
        let study = try load("study.yaml"), photos = try load("cats-vs-dogs.yaml")
        XCTAssertEqual(study.groups, ["data", "split", "train", "interpolate", "sharpness", "hessian", "reparametrisation", "landscape",
                                      "train_parallel", "distances", "critical_batch", "trajectory", "report"])
        XCTAssertEqual(photos.groups, study.groups, "same stage names, so the analysis stages fit both files")
        XCTAssertEqual(study.instance("data")?.kind.kind, "generate")
        XCTAssertEqual(photos.instance("data")?.kind.kind, "preprocess")

        // The three lr families, each (bs, lr) once: fixed 0.01, linear scaling 0.01·bs/32, the sweep;
        // then the lrs that give every batch size six, 0.01–0.32 (steps to target, F19).
        let expected = ["32@0.01", "64@0.01", "128@0.01", "256@0.01", "64@0.02", "128@0.04", "256@0.08",
                        "32@0.02", "32@0.04", "32@0.08", "256@0.02", "256@0.04",
                        "64@0.04", "64@0.08", "128@0.02", "128@0.08", "256@0.16", "32@0.16", "64@0.16", "128@0.16", "256@0.32",
                        "32@0.32", "64@0.32", "128@0.32"]
        XCTAssertEqual(try grid(study), expected)
        XCTAssertEqual(try grid(photos), expected)
        XCTAssertEqual(Set(try grid(study)).count, 24, "a run shared by two families is one instance")

        // Paper scale on the photos: Keras patience 100 (epochs), a cap beyond the original's slowest
        // minimum (epoch 958), the 64×64 model.
        let train = try XCTUnwrap(photos.instance("train@batch_size=256,lr=0.01,snapshots=24"))
        XCTAssertEqual(train.parameters["patience"], .int(100))
        XCTAssertEqual(train.parameters["patience_unit"], .string("epochs"))
        XCTAssertGreaterThan(train.parameters["max_epochs"]!.intValue!, 958 + 100)
        XCTAssertEqual(train.parameters["conv_widths"], .list([16, 32, 64, 64].map(ParamValue.int)))
        XCTAssertEqual(photos.instance("data")?.parameters["size"], .int(64))

        // Every train instance reads the data and the split of its own file.
        for graph in [study, photos] {
            for instance in graph.instances where instance.group == "train" {
                XCTAssertEqual(instance.inputs["data"]?.map(\.description), ["data.images"])
                XCTAssertEqual(instance.inputs["split"]?.map(\.description), ["split.split"])
            }
        }
    }
}
