// The shipped pipeline files load and plan with the study's stage kinds (no training), so a malformed
// edit of pipelines/study.yaml, study-extended.yaml or cats-vs-dogs.yaml fails CI; the default and the
// photos run the same training grid under the same stage names, so analysis stages fit both; and the
// extended study is the default with the fixed-lr family (and its sharpness) in 15 replicates and the lr
// grid (extended down to bs 8 and 16) and critical_batch in 3, nothing else.
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
        XCTAssertEqual(study.instances.filter { $0.group == "hessian" }.count, 7 * 3, "λ_max beside φ in claims 5 and 7: 3 replicates")
        XCTAssertEqual(study.instance("hessian@batch_size=256,lr=0.08,replicate=3")?.inputs["checkpoint"]?.map(\.description),
                       ["train@batch_size=256,lr=0.08,replicate=3.checkpoint"], "each replicate's Hessian at its own minimizer")
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
        // Every train instance of every shipped study pipeline arms early stopping below chance (ln 2 = 0.6931):
        // the rule that sets aside runs that never leave the initial plateau is in the file before the runs.
        for graph in [study, photos, try load("study-extended.yaml"), try load("examples/claims.yaml")] {
            let trains = graph.instances.filter { $0.kind.kind == "train" }
            XCTAssertFalse(trains.isEmpty)
            for instance in trains { XCTAssertEqual(instance.parameters["plateau_loss"], .double(0.68), instance.name) }
        }
    }

    func testTheExtendedStudyIsTheDefaultWithTheFixedFamilyTheGridAndTheCriticalBatchReplicated() throws {
        let study = try load("study.yaml"), extended = try load("study-extended.yaml")
        XCTAssertEqual(extended.groups, study.groups)
        let changed: Set<String> = ["train_grid", "critical_batch", "report"]
        // Every instance of the default is here with the same name, parameters and inputs (so the same cache
        // keys), but for the stages that read every run (evaluate, distances: the new runs too).
        let gatherers: Set<String> = ["evaluate", "distances"]
        for twin in study.instances where !changed.contains(twin.group) {
            let instance = try XCTUnwrap(extended.instance(twin.name), "\(twin.name) is not in study-extended.yaml")
            XCTAssertEqual(instance.parameters, twin.parameters, twin.name)
            guard !gatherers.contains(twin.group) else { continue }
            XCTAssertEqual(instance.inputs.mapValues { $0.map(\.description) }, twin.inputs.mapValues { $0.map(\.description) }, twin.name)
        }
        // Beyond them: replicates 6–15 of the four fixed-lr runs and of their sharpness, nothing else; each
        // the default's replicate-5 instance but for the replicate (a new θ_init and data order, the same rule).
        let fixedFamily: Set<String> = ["32@0.01", "64@0.01", "128@0.01", "256@0.01"]
        func configuration(_ i: StageInstance) -> String { "\(i.parameters["batch_size"]!.intValue!)@\(i.parameters["lr"]!.doubleValue!)" }
        let added = extended.instances.filter { !changed.contains($0.group) && study.instance($0.name) == nil }
        XCTAssertEqual(added.filter { $0.group == "train" }.count, 4 * 10)
        XCTAssertEqual(added.filter { $0.group == "sharpness" }.count, 4 * 10)
        XCTAssertEqual(added.count, 80, "\(Set(added.map(\.group)))")
        for instance in added {
            let r = try XCTUnwrap(instance.parameters["replicate"]?.intValue)
            XCTAssertTrue(fixedFamily.contains(configuration(instance)) && (6...15).contains(r), instance.name)
            let fifth = try XCTUnwrap(study.instance(instance.name.replacingOccurrences(of: ",replicate=\(r)", with: ",replicate=5")))
            var parameters = instance.parameters
            parameters["replicate"] = .int(5)
            XCTAssertEqual(parameters, fifth.parameters, instance.name)
            if instance.group == "sharpness" {
                let source = try XCTUnwrap(instance.inputs["checkpoint"]?.map(\.stage), instance.name)
                XCTAssertEqual(source.count, 1, instance.name)
                let train = try XCTUnwrap(extended.instance(source[0]))
                XCTAssertEqual(train.group, "train")
                for key in ["batch_size", "lr", "replicate"] { XCTAssertEqual(train.parameters[key], instance.parameters[key], instance.name) }
            }
        }
        // 15 replicates at lr 0.01, 5 for the other eight configurations; the hessian stays at 3.
        let counts = Dictionary(grouping: try self.grid(extended), by: { $0 }).mapValues(\.count)
        XCTAssertEqual(counts.filter { fixedFamily.contains($0.key) }.values.sorted(), [15, 15, 15, 15])
        XCTAssertEqual(counts.filter { !fixedFamily.contains($0.key) }.values.sorted(), Array(repeating: 5, count: 8))
        XCTAssertEqual(extended.instances.filter { $0.group == "hessian" }.count, 7 * 3)
        // evaluate and distances read the default's 60 runs and the 40 new ones.
        for group in gatherers {
            let runs = try XCTUnwrap(extended.instance(group)?.inputs["runs"]?.map(\.description))
            let defaults = try XCTUnwrap(study.instance(group)?.inputs["runs"]?.map(\.description))
            XCTAssertEqual(runs.count, 100, group)
            XCTAssertTrue(Set(defaults).isSubset(of: Set(runs)), group)
        }

        // train_grid: the default's twelve runs and five lrs (0.01–0.16) at bs 8 and 16, in replicates 1–3;
        // replicate 1 of the default's twelve has the default's parameters (the same keys).
        let grid = extended.instances.filter { $0.group == "train_grid" }
        XCTAssertEqual(grid.count, (12 + 2 * 5) * 3)
        let defaultGrid = study.instances.filter { $0.group == "train_grid" }.map(\.parameters)
        let firstReplicate = grid.filter { $0.parameters["replicate"] == .int(1) }.map(\.parameters)
        XCTAssertEqual(Array(firstReplicate.prefix(12)), defaultGrid)
        let small = try self.grid(extended, "train_grid").filter { $0.hasPrefix("8@") || $0.hasPrefix("16@") }
        XCTAssertEqual(Set(small), Set([8, 16].flatMap { bs in [0.01, 0.02, 0.04, 0.08, 0.16].map { "\(bs)@\($0)" } }))
        XCTAssertEqual(small.count, 2 * 5 * 3)
        XCTAssertEqual(Set(grid.compactMap { $0.parameters["replicate"]?.intValue }), [1, 2, 3])

        // critical_batch: one instance per replicate, each reading its own replicate of train (12) and train_grid (22).
        for r in 1...3 {
            let instance = try XCTUnwrap(extended.instance("critical_batch@replicate=\(r)"))
            let runs = try XCTUnwrap(instance.inputs["runs"]?.map(\.description))
            XCTAssertEqual(runs.count, 34)
            XCTAssertTrue(runs.allSatisfy { $0.hasSuffix(",replicate=\(r).checkpoint") }, "\(runs)")
            XCTAssertEqual(runs.filter { $0.hasPrefix("train_grid@") }.count, 22)
            var parameters = instance.parameters
            parameters["replicate"] = .int(1)
            XCTAssertEqual(parameters, study.instance("critical_batch")?.parameters, "only the replicate differs")
        }
        // Replicate 1 here reads the default's critical_batch's 24 runs, in the same order, then the ten small-batch runs.
        XCTAssertEqual(extended.instance("critical_batch@replicate=1")?.inputs["runs"]?.map(\.description).prefix(24).map { $0 },
                       study.instance("critical_batch")?.inputs["runs"]?.map(\.description)
                           .map { $0.hasPrefix("train_grid@") ? $0.replacingOccurrences(of: ".checkpoint", with: ",replicate=1.checkpoint") : $0 })

        // The report reads the three fits, every run (100) and every sharpness (75); everything else as the default's.
        let report = try XCTUnwrap(extended.instance("report")), twin = try XCTUnwrap(study.instance("report"))
        XCTAssertEqual(report.inputs["critical"]?.map(\.description), (1...3).map { "critical_batch@replicate=\($0).critical" })
        XCTAssertEqual(report.inputs["runs"]?.count, 100)
        XCTAssertEqual(report.inputs["sharpness"]?.count, 7 * 5 + 4 * 10)
        let own: Set<String> = ["critical", "runs", "sharpness"]
        XCTAssertEqual(report.inputs.filter { !own.contains($0.key) }.mapValues { $0.map(\.description) },
                       twin.inputs.filter { !own.contains($0.key) }.mapValues { $0.map(\.description) })
        XCTAssertEqual(report.parameters.filter { $0.key != "title" }, twin.parameters.filter { $0.key != "title" })
    }

    /// The robustness subset (pipelines/examples/claims.yaml) is the default's claim-deciding stages with
    /// the default's parameters and inputs, so its verdicts under another seed or engine are the study's.
    func testTheClaimsSubsetRepeatsTheDefaultsStages() throws {
        let study = try load("study.yaml"), claims = try load("examples/claims.yaml")
        XCTAssertEqual(claims.groups, ["data", "split", "train", "evaluate", "sharpness", "hessian", "timing", "distances", "report"])
        for instance in claims.instances where instance.group != "report" {
            let twin = try XCTUnwrap(study.instance(instance.name), "\(instance.name) is not in study.yaml")
            XCTAssertEqual(instance.parameters, twin.parameters, instance.name)
            // evaluate and distances read every train run of their file: the subset's have no sweep.
            guard !["evaluate", "distances"].contains(instance.group) else { continue }
            XCTAssertEqual(instance.inputs.mapValues { $0.map(\.description) }, twin.inputs.mapValues { $0.map(\.description) }, instance.name)
        }
        XCTAssertEqual(claims.instances.filter { $0.group == "train" }.count, 7 * 5, "both lr families in 5 replicates, no sweep")
        XCTAssertEqual(claims.instance("evaluate")?.inputs["runs"]?.count, 7 * 5)
        XCTAssertEqual(claims.instances.filter { $0.group == "sharpness" }.count, study.instances.filter { $0.group == "sharpness" }.count)
    }
}

