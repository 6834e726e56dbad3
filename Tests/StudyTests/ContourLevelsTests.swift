// The contour levels of F11 and F20: geometric steps above the lowest loss, and never an empty list
// (gnuplot fails on `set cntrparam levels discrete` with no value: the photo pipeline's short CLI run
// had a PCA plane flatter than the first step, and the report stage failed on F20).
@testable import StudyReport
import XCTest

final class ContourLevelsTests: XCTestCase {
    func testStepsAboveTheLowestLoss() {
        let levels = GeometryFigures.contourLevels(low: 0.3, high: 0.5)
        XCTAssertEqual(levels.count, 4)
        for (a, e) in zip(levels, [0.32, 0.35, 0.4, 0.5]) { XCTAssertEqual(a, e, accuracy: 1e-12) }
    }

    func testAFlatPlaneGetsItsQuartersAndAConstantOneALevelAbove() {
        let flat = GeometryFigures.contourLevels(low: 0.69, high: 0.694)
        XCTAssertEqual(flat.count, 3)
        for (a, e) in zip(flat, [0.691, 0.692, 0.693]) { XCTAssertEqual(a, e, accuracy: 1e-12) }
        XCTAssertEqual(GeometryFigures.contourLevels(low: 0.5, high: 0.5), [0.52])
    }
}
