// S10's invariance table (issue 14 §3, Dinh et al. 2017): every measure of the `reparametrisation`
// audit per α, its largest relative change against α = 1 and whether it moved, so the sharpness
// claims can say which measure they rest on.
import Foundation
import Report

extension ReportPage {
    /// A measure counts as invariant when |m(α) − m(1)| ≤ tolerance·|m(1)| at every α. Powers of two
    /// rescale exactly (the same bytes); another α rounds once per weight in Float32, which moves a
    /// measure by ~1e-6 relative (ReparametrisationAuditTests), far below the factors the others move by.
    static let invarianceTolerance = 1e-4
    /// The outputs count as unchanged when no logit moved by more than this (absolute; the logits are O(1)).
    static let logitTolerance = 1e-4

    static func invarianceTable(_ audit: ReparametrisationAuditTable?) -> String {
        var out = "<h3 id=\"reparametrisation\">Sharpness under reparametrisation (Dinh et al. 2017)</h3>\n"
        guard let a = audit else {
            return out + "<p class=\"notrun\">Not run: this pipeline has no <code>reparametrisation</code> stage "
                + "(the report's optional <code>reparametrisation</code> input).</p>\n"
        }
        // The reference column: α = 1 when the audit has it (the stage's default), else the α nearest to 1.
        let ref = a.alpha.indices.min { abs(log(a.alpha[$0])) < abs(log(a.alpha[$1])) }!
        let outputsKept = a.maxLogitChange.allSatisfy { $0 <= logitTolerance }
        out += "<p>The bs-\(a.batchSize) minimizer (lr \(Float(a.learningRate))) with <code>\(HTML.escape(a.layer))</code>'s weights and bias "
            + "× α and <code>\(HTML.escape(a.nextLayer))</code>'s weights × 1/α: ReLU and max-pooling are positively homogeneous, "
            + "so the network computes the same function. "
            + (outputsKept ? "Checked: no logit moved by more than \(logitTolerance) at any α (largest change "
                + "\(GnuplotText.short(a.maxLogitChange.max()!)))."
                : "<b>Warning:</b> a logit moved by \(GnuplotText.short(a.maxLogitChange.max()!)), more than \(logitTolerance): "
                + "the rescaled networks are not the same function, so this audit does not test invariance.")
            + " A measure is <i>invariant</i> when |m(α) − m(\(GnuplotText.short(a.alpha[ref])))| ≤ \(invarianceTolerance)·"
            + "|m(\(GnuplotText.short(a.alpha[ref])))| at every α.</p>\n"
        let rows: [(String, [Double])] = [
            ("Keskar's φ (ε \(String(format: "%g", a.phiEpsilon)), L-BFGS-B)", a.phi),
            ("λ_max (Lanczos)", a.lambdaMax),
            ("Hessian trace (Hutchinson)", a.trace),
            ("adaptive sharpness, worst case (ρ \(String(format: "%g", a.rho)))", a.adaptiveWorst),
            ("adaptive sharpness, average case (ρ \(String(format: "%g", a.rho)))", a.adaptiveAverage),
            ("Keskar-box sharpness, worst case (ε \(String(format: "%g", a.epsilon)), sign ascent)", a.keskarBoxWorst),
            ("training loss f(θ) (check: unchanged)", a.loss),
        ]
        let cells = rows.map { name, values -> [String] in
            let base = values[ref]
            let change = values.map { abs($0 - base) }.max()!
            let relative = change == 0 ? 0 : change / abs(base)
            let verdict = !values.allSatisfy(\.isFinite) ? "not finite"
                : change <= invarianceTolerance * abs(base) ? "invariant" : "changes"
            return [name] + values.map(GnuplotText.short) + [String(format: "%.2g", relative), verdict]
        }
        let logits = ["max |Δ logit| vs the original θ"] + a.maxLogitChange.map(GnuplotText.short)
            + ["–", outputsKept ? "unchanged" : "changes"]
        let header = ["measure"] + a.alpha.map { "α = \(GnuplotText.short($0))" }
            + ["largest relative change vs α = \(GnuplotText.short(a.alpha[ref]))", "verdict"]
        return out + HTML.table(header: header, rows: cells + [logits])
    }
}
