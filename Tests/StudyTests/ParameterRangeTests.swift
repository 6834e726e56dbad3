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
            params: {batch_size: 8, lr: LR, patience_unit: UNIT, conv_widths: [4, WIDTH]}
            inputs: {data: data.images, split: split.split}
        """

    func text(count: String = "100", fraction: String = "0.2", lr: String = "0.01", unit: String = "epochs",
              width: String = "8") -> String {
        pipeline.replacingOccurrences(of: "COUNT", with: count).replacingOccurrences(of: "FRACTION", with: fraction)
            .replacingOccurrences(of: "LR", with: lr).replacingOccurrences(of: "UNIT", with: unit)
            .replacingOccurrences(of: "WIDTH", with: width)
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

    func testOverridesAreCheckedToo() {
        XCTAssertEqual(loadError(text(), overrides: ["train.patience_unit=weeks"]),
                       "--set train.patience_unit=weeks: parameter 'patience_unit' is weeks, not allowed: "
                       + "expected one of: epochs, iterations")
    }
}
