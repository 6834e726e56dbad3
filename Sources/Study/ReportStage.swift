// `report`: figures F1–F17 (gnuplot → SVG + PNG, data as TSV) and one HTML page with captions, the
// claims table and provenance. Figures read only their inputs, except the timing figures, whose seconds
// come from the run index (the executions that produced the input checkpoints); the page names those runs.
import Foundation
import Pipeline
import Report
import Store
import StudyReport

public struct ReportStage: Stage {
    public static let kind = "report"
    public static let codeVersion = 10  // 8: claims from replicates (intervals, verdicts); 9: F2, F10, F13, F15 mean ± 95 % CI over replicates;
    // 10: F18–F21 and claims 8–9 (issue 14: noise scale, steps to target, PCA trajectories, Hessian spectrum)
    public static let summary = "figures F1–F21 (SVG, PNG, TSV) and report.html with the claims table and provenance"
    public static let figureIDs = (1...21).map { "f\($0)" }
    public static let parameters = [
        ParamSpec("title", .string, default: .string("The mini-batch size study"), help: "page title"),
        ParamSpec("fixed_lr", .double, default: .double(0.01), help: "lr of the fixed family (F1–F11)",
                  range: .greaterThan(0)),
        ParamSpec("base_lr", .double, default: .double(0.01), help: "linear scaling: lr = base_lr · bs / base_batch_size",
                  range: .greaterThan(0)),
        ParamSpec("base_batch_size", .int, default: .int(32), help: "linear scaling: batch size of base_lr",
                  range: .atLeast(1)),
        ParamSpec("sweep_lr", .double, default: .double(0.08), help: "F17's second panel: batch sizes at this lr",
                  range: .greaterThan(0)),
        ParamSpec("epsilon", .double, default: .double(1e-3), help: "box size of the sharpness shown",
                  range: .greaterThan(0)),
    ]
    public static let inputs = [
        InputSpec("runs", many: true, help: "train checkpoints"),
        InputSpec("distances", help: "the distances object"),
        InputSpec("curve", optional: true, help: "interpolate curve (F9)"),
        InputSpec("sharpness", many: true, optional: true, help: "sharpness per minimizer (F10, F15)"),
        InputSpec("grids", many: true, optional: true, help: "landscape grids (F11)"),
        InputSpec("parallel", many: true, optional: true, help: "data-parallel train checkpoints (F5)"),
        InputSpec("critical", optional: true, help: "critical_batch object (F19, claim 9)"),
        InputSpec("trajectories", many: true, optional: true, help: "trajectory objects (F20)"),
        InputSpec("hessians", many: true, optional: true, help: "hessian objects (F21: spectral density)"),
    ]
    public static let outputs = [OutputSpec("index", .html, help: "the report page")]
        + figureIDs.flatMap { id in
            [OutputSpec(id, .svg, help: "figure \(id.uppercased())"), OutputSpec("\(id)_png", .png, help: "figure \(id.uppercased()) as PNG"),
             OutputSpec("\(id)_data", .tsv, help: "the data of figure \(id.uppercased())")]
        }

    public static func run(_ context: StageContext) throws {
        var settings = ReportSettings()
        settings.fixedLR = context.double("fixed_lr")
        settings.baseLR = context.double("base_lr")
        settings.baseBatchSize = context.int("base_batch_size")
        settings.sweepLR = context.double("sweep_lr")
        settings.epsilon = context.double("epsilon")
        let data = try ReportData.load(context, settings: settings)
        let entries = ReportCatalogue.entries(data)
        precondition(entries.map(\.figure.id) == figureIDs, "the catalogue must list F1–F21 in order")
        let directory = context.output("index").deletingLastPathComponent()
        for (i, entry) in entries.enumerated() {
            context.progress("figure \(i + 1)/\(entries.count)")
            _ = try Gnuplot.render(entry.figure, in: directory)
        }
        let claims = ReportClaims.evaluate(data)
        let provenance = try ReportProvenance.gather(context, data: data)
        let page = ReportPage.html(title: context.string("title"), data: data, entries: entries, claims: claims,
                                   provenance: provenance)
        try Data(page.utf8).write(to: context.output("index"))
        context.metric("figures_measured", Double(entries.filter(\.figure.measured).count))
        for claim in claims {
            context.metric("claim\(claim.number)", claim.verdict == .holds ? 1 : claim.verdict == .contradicted ? 0 : -1)
        }
    }
}
