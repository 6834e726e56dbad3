// Declared ranges and choices are checked when the pipeline file loads, before anything runs: the
// message names the file, line and column of the bad value, the parameter and what is allowed.
import Foundation
import Pipeline
import Study
import XCTest

final class ParameterRangeTests: XCTestCase {
    let loader = PipelineLoader(registry: StageRegistry(StudyStages.all))

    func loadError(_ text: String, overrides: [String] = []) -> String? {
        do {
            _ = try loader.load(text: text, file: "p.yaml", overrides: overrides)
            return nil
        } catch {
            return "\(error)"
        }
    }

    let pipeline = """
        stages:
          data: {kind: generate, params: {count: COUNT}}
          split:
            kind: split
            params: {validation_fraction: FRACTION}
            inputs: {data: data.images}
          train:
            kind: train
            params: {batch_size: 8, lr: LR, patience_unit: UNIT, conv_widths: [4, WIDTH]PLATEAU}
            inputs: {data: data.images, split: split.split}
        """

    func text(count: String = "100", fraction: String = "0.2", lr: String = "0.01", unit: String = "epochs",
              width: String = "8", plateau: String? = nil) -> String {
        pipeline.replacingOccurrences(of: "COUNT", with: count).replacingOccurrences(of: "FRACTION", with: fraction)
            .replacingOccurrences(of: "LR", with: lr).replacingOccurrences(of: "UNIT", with: unit)
            .replacingOccurrences(of: "WIDTH", with: width)
            .replacingOccurrences(of: "PLATEAU", with: plateau.map { ", plateau_loss: " + $0 } ?? "")
    }

    func testValidValuesLoad() {
        XCTAssertNil(loadError(text()))
    }

    func testOutOfRangeValuesFailAtLoadWithTheirLocationAndRange() {
        XCTAssertEqual(loadError(text(count: "-5")),
                       "p.yaml:2:42: parameter 'count' of stage 'data' is -5, which is not allowed: expected an integer ≥ 1")
        XCTAssertEqual(loadError(text(fraction: "1.5")),
                       "p.yaml:5:35: parameter 'validation_fraction' of stage 'split' is 1.5, which is not allowed: "
                       + "expected a number in (0, 1)")
        XCTAssertEqual(loadError(text(lr: "-0.1")),
                       "p.yaml:9:33: parameter 'lr' of stage 'train' is -0.1, which is not allowed: expected a number > 0")
        XCTAssertEqual(loadError(text(width: "0")),
                       "p.yaml:9:79: parameter 'conv_widths' of stage 'train' is 0, which is not allowed: "
                       + "expected a list of integers each ≥ 1")
    }

    func testUnknownChoiceFailsAtLoadWithTheChoices() {
        XCTAssertEqual(loadError(text(unit: "epoch")),
                       "p.yaml:9:54: parameter 'patience_unit' of stage 'train' is epoch, which is not allowed: "
                       + "expected one of: epochs, iterations")
    }

    /// plateau_loss is optional: left out, the instance has no value for it (its cache key is the one from
    /// before the parameter existed); given, it must be a number > 0 (finite: the YAML reader's rule).
    func testPlateauLossIsOptionalAndChecked() throws {
        let absent = try loader.load(text: text(), file: "p.yaml")
        let train = try XCTUnwrap(absent.instances.first { $0.name == "train" })
        XCTAssertNil(train.parameters["plateau_loss"], "an optional parameter left out stays out of the key")
        XCTAssertEqual(train.parameters["patience"], .int(10), "the others still get their defaults")
        let given = try loader.load(text: text(plateau: "0.68"), file: "p.yaml")
        XCTAssertEqual(given.instances.first { $0.name == "train" }?.parameters["plateau_loss"], .double(0.68))
        XCTAssertEqual(try TrainStage.Parameters(["batch_size": .int(8), "lr": .double(0.1)], stage: "train").plateauLoss, nil)

        XCTAssertEqual(loadError(text(plateau: "0")),
                       "p.yaml:9:97: parameter 'plateau_loss' of stage 'train' is 0.0, which is not allowed: expected a number > 0")
        XCTAssertEqual(loadError(text(plateau: "-0.5")),
                       "p.yaml:9:97: parameter 'plateau_loss' of stage 'train' is -0.5, which is not allowed: expected a number > 0")
        XCTAssertEqual(loadError(text(plateau: "low")),
                       "p.yaml:9:97: parameter 'plateau_loss' of stage 'train' must be a number, found a string 'low'")
        XCTAssertEqual(loadError(text(plateau: ".inf")), "p.yaml:9:97: parameter 'plateau_loss' of stage 'train': must be finite, found .inf")
        XCTAssertEqual(loadError(text(), overrides: ["train.plateau_loss=0"]),
                       "--set train.plateau_loss=0: parameter 'plateau_loss' is 0.0, not allowed: expected a number > 0")
        // A body decoding outside the loader (an MPI rank, a test) checks it too.
        XCTAssertThrowsError(try TrainStage.Parameters(["batch_size": .int(8), "lr": .double(0.1), "plateau_loss": .double(-1)],
                                                       stage: "train")) {
            XCTAssertEqual("\($0)", "train: parameter plateau_loss = -1.0 is invalid: expected a number > 0.\n"
                           + "HINT: fix it in the pipeline file or with --set train.plateau_loss=VALUE.")
        }
    }

    func testOverridesAreCheckedToo() {
        XCTAssertEqual(loadError(text(), overrides: ["train.patience_unit=weeks"]),
                       "--set train.patience_unit=weeks: parameter 'patience_unit' is weeks, not allowed: "
                       + "expected one of: epochs, iterations")
    }
}
