// The figures of the report (F1–F17 the spec's, F18–F20 issue 14's in ReportCatalogueBeyond): section, title, what the original reported, the builder, and
// the sentence saying what this run measured (the second half of each caption).
import Foundation
import Report

public struct ReportEntry {
    public let section: Int
    public let figure: Figure
    public let original: String
    public let measured: String
}

public enum ReportCatalogue {
    public static func entries(_ d: ReportData) -> [ReportEntry] {
        let fixed = d.fixedFamily, scaled = d.scaledFamily
        let lr = "lr \(Float(d.settings.fixedLR))"
        let fixedRows = fixed.compactMap { d.distanceRow($0) }
        let eps = d.settings.epsilon
        func n(_ x: Double) -> String { GnuplotText.short(x) }
        func list(_ runs: [ReportRun], _ f: (ReportRun) -> String) -> String {
            runs.isEmpty ? "no runs" : runs.map { "bs \($0.batchSize) \(f($0))" }.joined(separator: ", ")
        }
        // Generalisation captions: validation minima and, where the pipeline has a held-out test set, test losses.
        func heldOut(_ runs: [ReportRun]) -> String {
            guard let e = d.evaluation else {
                return "no held-out test set in this pipeline: the validation set (\(runs.first?.validationCount ?? 0) images) is the measure"
            }
            return "test loss at θ_min on \(e.testCount) held-out images: " + ReportClaims.perBatchSize(runs) { $0.testLoss }
        }
        // Timing captions: the isolated medians, and how they were measured.
        let timing = d.timing
        func measuredAlone(_ t: TimingTable) -> String {
            "measured alone by the timing stage: \(t.setup); the machine was busy \(String(format: "%.2f", t.busyCores)) cores meanwhile"
        }
        func medians(_ t: TimingTable, _ sizes: [Int]) -> String {
            sizes.filter { t.samples(batchSize: $0) != nil }.map { bs in
                let s = t.samples(batchSize: bs)!
                return "bs \(bs) " + String(format: "%.3f s [%.3f, %.3f]", TimingTable.quartiles(s).median, s.min()!, s.max()!)
            }.joined(separator: ", ")
        }
        func epochsAndSeconds(_ runs: [ReportRun]) -> String {
            var text = "epochs to the minimum: " + ReportClaims.perBatchSize(runs) { Double($0.epochMin) }
            let capped = runs.filter(\.hitCap).count
            if capped > 0 { text += " (\(capped) run(s) reached the epoch cap)" }
            guard let timing else { return text + "; seconds: not measured (no timing stage)." }
            return text + "; seconds in total (epochs run × median s/epoch): "
                + ReportClaims.perBatchSize(runs) { r in timing.median(batchSize: r.batchSize).map { Double(r.epochsRun) * $0 } }
                + "; " + measuredAlone(timing) + "."
        }
        func phi(_ r: ReportRun) -> Double? {
            d.sharpness(batchSize: r.batchSize, lr: r.learningRate, replicate: r.replicate)?.phi(near: eps)?.phi
        }
        func sharp(_ runs: [ReportRun]) -> [SharpnessResult] {
            runs.compactMap { d.sharpness(batchSize: $0.batchSize, lr: $0.learningRate, replicate: $0.replicate) }
        }
        // Figures of one number per configuration draw every replicate (mean and 95 % CI); curves draw replicate 1.
        let fixedAll = d.fixedFamilyReplicates, scaledAll = d.scaledFamilyReplicates
        let minima = list(fixed) { "\(n($0.minValLoss)) (epoch \($0.epochMin))" }
        let scaledMinima = list(scaled) { "\(n($0.minValLoss)) at lr \(Float($0.learningRate))" }

        var out: [ReportEntry] = []
        func add(_ section: Int, _ figure: Figure, _ original: String, _ measured: String) {
            out.append(ReportEntry(section: section, figure: figure, original: original,
                                   measured: figure.measured ? measured : "not run: this pipeline has no data for it."))
        }
        let fixedAllRows = fixedAll.compactMap { d.distanceRow($0) }, scaledAllRows = scaledAll.compactMap { d.distanceRow($0) }
        add(3, TrainingFigures.lossCurves(id: "f1", title: "F1 · training and validation loss per epoch, \(lr)", runs: fixedAll),
            "larger batch: training loss falls more slowly.",
            "minimum validation loss (epoch of the minimum in replicate 1): \(minima); over replicates: "
                + ReportClaims.perBatchSize(fixedAll) { $0.minValLoss } + ".")
        add(3, TrainingFigures.minima(id: "f2", title: "F2 · minimum validation loss per batch size, \(lr)",
                                      series: [("minimum validation loss, \(lr)", fixedAll, { $0.minValLoss }, 1),
                                               ("test loss at θ_min (held out), \(lr)", fixedAll.filter { $0.testLoss != nil },
                                                { $0.testLoss! }, 2)],
                                      original: [(32, 0.344), (256, 0.395)], originalLabel: "original (Cats vs Dogs)"),
            "0.344 (bs 32) vs 0.395 (bs 256).",
            "minimum validation loss: " + ReportClaims.perBatchSize(fixedAll) { $0.minValLoss } + "; " + heldOut(fixedAll) + ".")
        let fixedSizes = Set(fixedAll.map(\.batchSize)).sorted()
        add(4, TimingFigures.secondsPerEpoch(id: "f3", title: "F3 · seconds per epoch per batch size", timing: timing, sizes: fixedSizes),
            "12.4 s (bs 32) vs 7.7 s (bs 256) on one GPU.",
            timing.map { "median seconds per epoch [fastest, slowest round]: " + medians($0, fixedSizes) + "; " + measuredAlone($0) + "." } ?? "")
        add(4, TimingFigures.epochsAndTime(id: "f4", title: "F4 · epochs to the minimum and training time, \(lr)", runs: fixedAll,
                                           timing: timing),
            "158 epochs (bs 32) vs 958 (bs 256); bs 256 took almost 4× as long in total.", epochsAndSeconds(fixedAll))
        add(4, TimingFigures.dataParallel(id: "f5", title: "F5 · seconds per epoch with data-parallel workers", timings: d.timings),
            "bs 256: 3.97 s on 4 GPUs vs 7.70 s on 1; ~3700 s total vs 1915 s for bs 32.",
            d.timings.map { t in "\(t.workers) worker\(t.workers > 1 ? "s" : ""): " + medians(t, t.batchSizes.sorted()) }
                .joined(separator: "; ") + " (median seconds per epoch [fastest, slowest round], each measured alone).")
        add(5, DistanceFigures.fromInit(id: "f6", title: "F6 · distance from the initial weights, \(lr)", rows: fixedAllRows,
                                        layers: d.distances.layerNames),
            "larger batch ends closer to the initial weights (one exception: 128 farther than 64).",
            "‖θ_min − θ_init‖: " + ReportClaims.perBatchSize(fixedAll) { d.distanceRow($0)?.distanceMin } + ".")
        add(5, DistanceFigures.epochDistance(id: "f7", title: "F7 · epoch distance over epochs, \(lr)", rows: fixedAllRows, table: d.distances),
            "bs 32: 0.15–0.4 per epoch; bs 256: 0.02–0.04; the ratio grows over time.",
            "epoch distance range: " + fixedRows.map { "bs \($0.batchSize) \(n($0.epochDistance.min() ?? .nan))–\(n($0.epochDistance.max() ?? .nan))" }
                .joined(separator: ", ")
                + (d.distances.ratio.isEmpty ? "" : "; ratio bs \(d.distances.ratioSmallBatch)/bs \(d.distances.ratioLargeBatch) "
                   + "\(n(d.distances.ratio.first!)) in epoch 1 → \(n(d.distances.ratio.last!)) in epoch \(d.distances.ratio.count)") + ".")
        add(5, DistanceFigures.updateNorms(id: "f8", title: "F8 · distribution of the norms of single updates, \(lr)", rows: fixedAllRows,
                                           edges: d.distances.binEdges),
            "median 3.3e-3 (bs 32) vs 1.5e-3 (bs 256).",
            "median ‖Δθ‖: " + ReportClaims.perBatchSize(fixedAll) { d.distanceRow($0)?.updateMedian } + "; replicate 1's quartiles: "
                + fixedRows.map { "bs \($0.batchSize) \(n($0.updateQ1))–\(n($0.updateQ3))" }.joined(separator: ", ") + ".")
        add(6, GeometryFigures.interpolation(id: "f9", title: "F9 · loss along the line between the bs-32 and bs-256 minimizers",
                                             curve: d.curve, across: d.crossCurve),
            "the bs-256 minimizer (α = 1) is sharper.",
            (d.curve.map { "same θ_init (replicate 1's two runs): " + curveText($0) } ?? "")
                + (d.crossCurve.map { "; different θ_init (bs 32 of replicate 1 to bs 256 of replicate 2): " + curveText($0)
                       + " Minimizers that share θ_init lie in one basin, so the solid line stays nearly flat; between "
                       + "initialisations, the barrier in between is what Keskar et al.'s figure shows." } ?? ""))
        add(7, GeometryFigures.sharpness(id: "f10", title: "F10 · sharpness per batch size, \(lr)",
                                         series: [("\(lr)", sharp(fixedAll))], epsilon: eps),
            "grows with the batch size.",
            "φ (%): " + ReportClaims.perBatchSize(fixedAll) { r in phi(r) } + ".")
        let grids = d.grids.filter { ReportData.same($0.learningRate, d.settings.fixedLR) }
        add(8, GeometryFigures.contours(id: "f11", title: "F11 · filter-normalised loss landscape around each minimizer, \(lr)", grids: grids),
            "loss changes faster around the bs-256 minimizer.", grids.map(gridText).joined(separator: "; ") + ".")
        add(9, TrainingFigures.lossCurves(id: "f12", title: "F12 · loss per epoch with the linear scaling rule (lr = \(Float(d.settings.baseLR))·bs/\(d.settings.baseBatchSize))",
                                          runs: scaledAll),
            "the gap mostly closes.",
            "minimum validation loss (replicate 1): \(scaledMinima); over replicates: " + ReportClaims.perBatchSize(scaledAll) { $0.minValLoss } + ".")
        add(9, TrainingFigures.minima(id: "f13", title: "F13 · minimum losses per batch size, scaled lr",
                                      series: [("validation, scaled lr", scaledAll, { $0.minValLoss }, 1),
                                               ("test (held out), scaled lr", scaledAll.filter { $0.testLoss != nil }, { $0.testLoss! }, 4),
                                               ("training, scaled lr", scaledAll, { $0.trainLoss.min() ?? .nan }, 2),
                                               ("validation, \(lr)", fixedAll, { $0.minValLoss }, 3)],
                                      original: [(32, 0.345), (256, 0.352)], originalLabel: "original validation (Cats vs Dogs)"),
            "val 0.352 (bs 256) vs 0.345 (bs 32).",
            "validation: " + ReportClaims.perBatchSize(scaledAll) { $0.minValLoss } + "; " + heldOut(scaledAll) + "; training: "
                + ReportClaims.perBatchSize(scaledAll) { $0.trainLoss.min() } + ".")
        add(9, TimingFigures.epochsAndTime(id: "f14", title: "F14 · epochs to the minimum and training time, scaled lr", runs: scaledAll,
                                           timing: timing),
            "bs 256: 2197 s vs bs 32: 3156 s.", epochsAndSeconds(scaledAll))
        add(9, GeometryFigures.sharpness(id: "f15", title: "F15 · sharpness with and without lr scaling",
                                         series: [("\(lr)", sharp(fixedAll)), ("scaled lr", sharp(scaledAll))], epsilon: eps),
            "scaled large-batch 4–7 vs 1.14 for bs 32.",
            "φ (%) scaled: " + ReportClaims.perBatchSize(scaledAll) { r in phi(r) } + ".")
        add(9, DistanceFigures.withScaling(id: "f16", title: "F16 · distance from the initial weights with and without lr scaling",
                                           fixed: fixedAllRows, scaled: scaledAllRows, fixedName: "\(lr) (fixed)"),
            "scaling moves large-batch minimizers farther.",
            "‖θ_min − θ_init‖ scaled: " + ReportClaims.perBatchSize(scaledAll) { d.distanceRow($0)?.distanceMin } + ".")
        add(9, TrainingFigures.learningRateSweep(id: "f17", title: "F17 · minimum validation loss across learning rates", runs: d.runs,
                                                 at: d.settings.sweepLR),
            "0.01 best for bs 32, 0.08 best for the others; at 0.08 bs 64 beats bs 32.", bestLRText(d.runs))
        for entry in beyondEntries(d) { add(entry.section, entry.figure, entry.original, entry.measured) }  // F18–F20
        return out
    }

    static func curveText(_ c: InterpolationTable) -> String {
        func at(_ a: Double) -> Double {
            guard let i = c.alpha.indices.min(by: { abs(c.alpha[$0] - a) < abs(c.alpha[$1] - a) }) else { return .nan }
            return c.trainLoss[i]
        }
        let between = c.alpha.indices.filter { c.alpha[$0] >= 0 && c.alpha[$0] <= 1 }.map { c.trainLoss[$0] }.max() ?? .nan
        return "training loss \(GnuplotText.short(at(0))) at α = 0 (bs \(c.smallBatchSize)), \(GnuplotText.short(at(1))) at α = 1 "
            + "(bs \(c.largeBatchSize)), highest between them \(GnuplotText.short(between)); at α = −1: \(GnuplotText.short(at(-1))), "
            + "α = 2: \(GnuplotText.short(at(2))))."
    }

    static func gridText(_ g: LandscapeGrid) -> String {
        let centre = g.trainLoss[(g.x.count / 2) * g.y.count + g.y.count / 2]
        let mean = g.trainLoss.filter(\.isFinite).reduce(0, +) / Double(max(g.trainLoss.filter(\.isFinite).count, 1))
        return "bs \(g.batchSize): loss \(GnuplotText.short(centre)) at the centre, mean \(GnuplotText.short(mean)) over the \(g.x.count)×\(g.y.count) grid"
    }

    static func bestLRText(_ runs: [ReportRun]) -> String {
        let sizes = Set(runs.map(\.batchSize)).sorted()
        return "lowest minimum validation loss: " + sizes.compactMap { bs in
            let rs = runs.filter { $0.batchSize == bs }
            guard rs.count > 1, let best = rs.min(by: { $0.minValLoss < $1.minValLoss }) else { return nil }
            return "bs \(bs) at lr \(Float(best.learningRate)) (\(GnuplotText.short(best.minValLoss)))"
        }.joined(separator: ", ") + "."
    }
}
