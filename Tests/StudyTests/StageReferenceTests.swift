// docs/stages.md is generated from the stage registry; this test fails when the committed file no
// longer matches what the registry declares (a parameter, default, range, input or output changed).
import Foundation
import Pipeline
import Study
import TestSupport
import XCTest

final class StageReferenceTests: XCTestCase {
    func testCommittedStageReferenceIsCurrent() throws {
        var registry = StageRegistry()
        StudyStages.register(into: &registry)  // what the CLI registers (no toy kinds)
        let generated = StageReference.markdown(registry)
        let committed = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/stages.md"), encoding: .utf8)
        XCTAssertEqual(committed, generated, "docs/stages.md is stale: regenerate it with `swift run \(StageReference.command)`")
        XCTAssertTrue(generated.contains("| `patience_unit` | string | `epochs` | epochs, iterations |"), generated)
    }

    /// The CLI prints the same reference.
    func testTheCLIPrintsTheReference() throws {
        let p = try CLIProject()
        let r = try p.run("stages", "--markdown")
        XCTAssertEqual(r.code, 0, r.stderr)
        var registry = StageRegistry()
        StudyStages.register(into: &registry)
        XCTAssertEqual(r.stdout, StageReference.markdown(registry))
    }
}
