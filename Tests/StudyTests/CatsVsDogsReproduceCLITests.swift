// `batchlab reproduce pipelines/cats-vs-dogs.yaml` end to end on the small photo folder of
// CatsVsDogsCLITests (40 photos and 2 bad files), every stage of the file including issue 14's
// (noise scale in train, critical_batch, hessian, reparametrisation, trajectory), shrunk by `--set` to
// seconds: the file's wiring, not its paper-scale numbers, is what this checks.
import Foundation
import TestSupport
import XCTest

final class CatsVsDogsReproduceCLITests: XCTestCase {
    /// Parameters only (fan-out keys cannot be overridden): 16×16 photos, 4 epochs, small grids and probes.
    static let small = [
        "data.size=16", "train.max_epochs=4", "train.patience=4",
        "critical_batch.target_val_loss=5",  // 8 validation photos: a target every run reaches at epoch 1
        "critical_batch.window_epochs=1",
        "landscape.x_count=3", "landscape.y_count=3", "trajectory.count=3", "timing.repeats=2",
        "sharpness.iterations=2", "reparametrisation.phi_iterations=2", "reparametrisation.lanczos_steps=3",
        "reparametrisation.trace_samples=2", "reparametrisation.average_samples=2", "reparametrisation.ascent_steps=2",
        "hessian.lanczos_steps=3", "hessian.trace_samples=2", "hessian.average_samples=2", "hessian.ascent_steps=2",
    ]

    func testTheWholePipelineRunsOnASmallPhotoFolder() throws {
        let p = try CLIProject(pipelines: true)
        let photos = p.url.appendingPathComponent("photos")
        try CatsVsDogsCLITests.makeFolder(photos, place: { "PetImages/\($0 == 0 ? "Cat" : "Dog")/\($1).jpg" },
                                          bad: ["PetImages/Cat/666.jpg", "PetImages/Dog/667.jpg"])
        let sets = (["data.folder=\(photos.path)"] + Self.small).flatMap { ["--set", $0] }
        let r = try p.run(["reproduce", "pipelines/cats-vs-dogs.yaml", "-j", "2"] + sets)
        XCTAssertEqual(r.code, 0, r.stdout + r.stderr)
        // data, split, 24 train, interpolate, 7 sharpness, 7 hessian, reparametrisation, 2 landscape, 2 timing,
        // distances, critical_batch, 2 trajectory, report
        XCTAssertTrue(r.stdout.contains("51 executed, 0 cached, 0 failed"), r.stdout)
        XCTAssertTrue(r.stdout.contains("report: artifacts/report/cats-vs-dogs/index.html"), r.stdout)

        let claims = try String(contentsOf: p.url.appendingPathComponent("artifacts/report/cats-vs-dogs/claims.txt"), encoding: .utf8)
        for n in 1...9 { XCTAssertTrue(claims.contains("\n  \(n)  "), "claim \(n) in \(claims)") }
        let page = try String(contentsOf: p.url.appendingPathComponent("artifacts/report/cats-vs-dogs/index.html"), encoding: .utf8)
        for id in ["F18", "F19", "F20", "F21"] { XCTAssertTrue(page.contains("\(id) ·"), "\(id) on the page") }
        XCTAssertFalse(page.contains("the critical_batch stage is not in this pipeline"), "F19 and claim 9 read critical_batch")
        // S10's invariance table from the real audit object: α = 1/4 and 4 rescale exactly, so the logits and the
        // adaptive worst case keep their bytes while λ_max moves.
        func row(_ measure: String) -> String? {
            page.components(separatedBy: "<tr>").first { $0.hasPrefix("<td>\(measure)") }?.components(separatedBy: "</tr>")[0]
        }
        XCTAssertEqual(row("max |Δ logit|"), "<td>max |Δ logit| vs the original θ</td><td>0</td><td>0</td><td>0</td><td>–</td><td>unchanged</td>")
        XCTAssertTrue(row("adaptive sharpness, worst case")?.hasSuffix("<td>0</td><td>invariant</td>") == true,
                      row("adaptive sharpness, worst case") ?? "no adaptive row")
        XCTAssertTrue(row("λ_max")?.hasSuffix("<td>changes</td>") == true, row("λ_max") ?? "no λ_max row")
        // The noise scale is recorded by the photo runs and reaches the stages that read it.
        let shown = try p.run("show", "critical_batch").stdout
        XCTAssertTrue(shown.contains("metric    b_crit_measured = "), shown)
        let again = try p.run(["reproduce", "pipelines/cats-vs-dogs.yaml", "-j", "2"] + sets)
        XCTAssertTrue(again.stdout.contains("0 executed, 51 cached, 0 failed"), again.stdout)
    }
}
