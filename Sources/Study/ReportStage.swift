// `report`: figures F1–F17 (gnuplot → SVG + PNG, data as TSV) and one HTML page with captions, the
// claims table. Figures read only their inputs: seconds per epoch come from the `timing` objects
// (measured alone), so the report's key includes their hashes. The page's provenance (which runs, when,
// where) is not content: the publish step adds it to the published copy (ReportPublishing).
import Foundation
import Pipeline
import Report
import Store
import StudyReport

public struct ReportStage: Stage {
    public static let kind = "report"
    // Figures and pages from its inputs' numbers: no BLAS.
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 16  // 8: claims from replicates (intervals, verdicts); 9: F2, F10, F13, F15 mean ± 95 % CI over replicates;
    // 10: no provenance in the stored page (the publish step adds it: ReportPublishing); 11 (science): seconds from the timing
    // objects (F3, F4, F5, F14, claim 2), not the run index; the held-out test set; intervals in F1, F3–F8, F12, F14, F16;
    // F9 across θ_init; the claims as text; 11 (beyond): F18–F21 and claims 8–9 (issue 14: noise scale, steps to target,
    // PCA trajectories, Hessian spectrum); 12: both; 13: claim 8 on the windows after the initial plateau, claim 9 over
    // several critical_batch objects (one per replicate); F11/F20 contour levels never empty; 14: S10's invariance table from the
    // reparametrisation audit (issue 14 §3); 15: each claim on its complete blocks (replicates with every member of its
    // family), its n and the replicates left out named; per-batch-size n where families have unequal replicates
    // 16: runs that never left the initial plateau (train's plateau_loss) are missing to the claims and named
    public static let summary = "figures F1–F21 (SVG, PNG, TSV), report.html with the claims table and the invariance table (provenance added when published), the claims as text"
    public static let figureIDs = (1...21).map { "f\($0)" }
    /// The page's title and the figures' settings (StudyReport's `ReportSettings`, whose defaults are the study's).
    public struct Parameters: StageParameters {
        public var title = "The mini-batch size study"
        public var settings = ReportSettings()

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("title", \.title, help: "page title"),
             .field("fixed_lr", \.settings.fixedLR, help: "lr of the fixed family (F1–F11)", range: .greaterThan(0)),
             .field("base_lr", \.settings.baseLR, help: "linear scaling: lr = base_lr · bs / base_batch_size", range: .greaterThan(0)),
             .field("base_batch_size", \.settings.baseBatchSize, help: "linear scaling: batch size of base_lr", range: .atLeast(1)),
             .field("sweep_lr", \.settings.sweepLR, help: "F17's second panel: batch sizes at this lr", range: .greaterThan(0)),
             .field("epsilon", \.settings.epsilon, help: "box size of the sharpness shown", range: .greaterThan(0))]
        }
    }

    public static let inputs = [
        InputSpec("runs", many: true, help: "train checkpoints"),
        InputSpec("distances", help: "the distances object"),
        InputSpec("curve", optional: true, help: "interpolate curve between minimizers that share θ_init (F9)"),
        InputSpec("cross_curve", optional: true, help: "interpolate curve between minimizers of different replicates (F9's second line)"),
        InputSpec("sharpness", many: true, optional: true, help: "sharpness per minimizer (F10, F15)"),
        InputSpec("grids", many: true, optional: true, help: "landscape grids (F11)"),
        InputSpec("evaluation", optional: true,
                  help: "the minimizers on the held-out test set (F2, F13, claims 1 and 6; without it: the validation set)"),
        InputSpec("timing", many: true, optional: true,
                  help: "timing objects, one per worker count: seconds per epoch measured alone (F3, F4, F5, F14, claim 2)"),
        InputSpec("reparametrisation", optional: true, help: "the reparametrisation audit (S10's invariance table)"),
        InputSpec("critical", many: true, optional: true,
                  help: "critical_batch objects, one per replicate fitted (F19, claim 9: decided with 2 or more)"),
        InputSpec("trajectories", many: true, optional: true, help: "trajectory objects (F20)"),
        InputSpec("hessians", many: true, optional: true, help: "hessian objects (F21: spectral density, replicate 1; λ_max beside φ in claims 5 and 7)"),
    ]
    public static let outputs = [OutputSpec("index", .html, help: "the report page"),
                                 OutputSpec("claims", .text, help: "the claims table as plain text (`make reproduce` prints it)")]
        + figureIDs.flatMap { id in
            [OutputSpec(id, .svg, help: "figure \(id.uppercased())"), OutputSpec("\(id)_png", .png, help: "figure \(id.uppercased()) as PNG"),
             OutputSpec("\(id)_data", .tsv, help: "the data of figure \(id.uppercased())")]
        }

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let data = try ReportData.load(context, settings: p.settings)
        let entries = ReportCatalogue.entries(data)
        precondition(entries.map(\.figure.id) == figureIDs, "the catalogue must list F1–F21 in order")
        let directory = context.output("index").deletingLastPathComponent()
        for (i, entry) in entries.enumerated() {
            context.progress("figure \(i + 1)/\(entries.count)")
            _ = try Gnuplot.render(entry.figure, in: directory)
        }
        let claims = ReportClaims.evaluate(data)
        let page = ReportPage.html(title: p.title, data: data, entries: entries, claims: claims)
        try Data(page.utf8).write(to: context.output("index"))
        try Data(ReportClaims.text(claims, runs: data.runs).utf8).write(to: context.output("claims"))
        context.metric("figures_measured", Double(entries.filter(\.figure.measured).count))
        for claim in claims {
            context.metric("claim\(claim.number)", claim.verdict == .holds ? 1 : claim.verdict == .contradicted ? 0 : -1)
        }
    }
}
