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

    /// (batch size, lr) of every instance of a train stage (`train` unless named), in plan order.
    func grid(_ graph: PipelineGraph, _ group: String = "train") throws -> [String] {
        try Planner.plan(graph).steps.map { graph.instances[$0] }.filter { $0.group == group }.map {
            "\($0.parameters["batch_size"]!.intValue!)@\($0.parameters["lr"]!.doubleValue!)"
        }
    }

    func testBothPipelineFilesLoadAndPlanTheSameTrainingGrid() throws {
        let study = try load("study.yaml"), photos = try load("cats-vs-dogs.yaml")
        XCTAssertEqual(study.groups, ["data", "split", "train", "train_grid", "evaluate", "interpolate", "interpolate_across", "sharpness",
                                      "hessian", "reparametrisation", "landscape", "timing", "distances", "critical_batch", "trajectory",
                                      "report"])
        XCTAssertEqual(photos.groups, study.groups.filter { !["train_grid", "evaluate", "interpolate_across"].contains($0) },
                       "same stage names, so the analysis stages fit both files; the photos (one replicate) have no held-out "
                       + "test set and no second θ_init, and train their whole lr grid in `train`")
        XCTAssertEqual(study.instance("data")?.kind.kind, "generate")
        XCTAssertEqual(photos.instance("data")?.kind.kind, "preprocess")

        // The three lr families, each (bs, lr) once: fixed 0.01, linear scaling 0.01·bs/32, the sweep;
        // then the lrs that give every batch size six, 0.01–0.32 (steps to target, F19).
        let expected = ["32@0.01", "64@0.01", "128@0.01", "256@0.01", "64@0.02", "128@0.04", "256@0.08",
                        "32@0.02", "32@0.04", "32@0.08", "256@0.02", "256@0.04"]
        let lrGrid = ["64@0.04", "64@0.08", "128@0.02", "128@0.08", "256@0.16", "32@0.16", "64@0.16", "128@0.16", "256@0.32",
                      "32@0.32", "64@0.32", "128@0.32"]
        XCTAssertEqual(try grid(study), expected.flatMap { Array(repeating: $0, count: 5) }, "five replicates of every run")
        XCTAssertEqual(try grid(study, "train_grid"), lrGrid, "the lr grid's extra runs once: the default profile's time budget")
        XCTAssertEqual(try grid(photos), expected + lrGrid)
        XCTAssertEqual(Set(try grid(study)).count, 12, "a run shared by two families is one instance")
        XCTAssertEqual(Set(try grid(study) + grid(study, "train_grid")).count, 24, "six lrs per batch size, no run twice")
        // critical_batch fits one replicate: replicate 1 of `train` and the (unreplicated) lr grid, six lrs per batch size.
        let critical = try XCTUnwrap(study.instance("critical_batch")?.inputs["runs"]?.map(\.description))
        XCTAssertEqual(critical.count, 24)
        XCTAssertEqual(critical.filter { $0.hasPrefix("train@") && $0.hasSuffix(",replicate=1.checkpoint") }.count, 12)
        XCTAssertEqual(critical.filter { $0.hasPrefix("train_grid@") }.count, 12)
        // The claims' analyses follow the replicates; the others read replicate 1.
        XCTAssertEqual(study.instances.filter { $0.group == "sharpness" }.count, 7 * 5)
        XCTAssertEqual(study.instances.filter { $0.group == "hessian" }.count, 7)
        XCTAssertEqual(study.instance("interpolate_across")?.inputs["large"]?.map(\.description),
                       ["train@batch_size=256,lr=0.01,snapshots=24,replicate=2.checkpoint"])

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
            for instance in graph.instances where instance.group.hasPrefix("train") {
                XCTAssertEqual(instance.inputs["data"]?.map(\.description), ["data.images"])
                XCTAssertEqual(instance.inputs["split"]?.map(\.description), ["split.split"])
            }
        }
    }
}
