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
        let fixedRows = fixed.compactMap { d.distanceRow($0) }, scaledRows = scaled.compactMap { d.distanceRow($0) }
        let eps = d.settings.epsilon
        func n(_ x: Double) -> String { GnuplotText.short(x) }
        func list(_ runs: [ReportRun], _ f: (ReportRun) -> String) -> String {
            runs.isEmpty ? "no runs" : runs.map { "bs \($0.batchSize) \(f($0))" }.joined(separator: ", ")
        }
        func timingSource(_ runs: [ReportRun]) -> String {
            let ids = Set(runs.compactMap { $0.timing?.run }).sorted()
            return ids.isEmpty ? "no wall times in the run index" : "wall times measured in run\(ids.count > 1 ? "s" : "") "
                + ids.map(String.init).joined(separator: ", ")
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
        add(3, TrainingFigures.lossCurves(id: "f1", title: "F1 · training and validation loss per epoch, \(lr)", runs: fixed),
            "larger batch: training loss falls more slowly.", "minimum validation loss: \(minima).")
        add(3, TrainingFigures.minima(id: "f2", title: "F2 · minimum validation loss per batch size, \(lr)",
                                      series: [("this run, \(lr)", fixedAll, { $0.minValLoss }, 1)],
                                      original: [(32, 0.344), (256, 0.395)], originalLabel: "original (Cats vs Dogs)"),
            "0.344 (bs 32) vs 0.395 (bs 256).", "\(minima).")
        add(4, TrainingFigures.secondsPerEpoch(id: "f3", title: "F3 · seconds per epoch per batch size, \(lr)", runs: fixed),
            "12.4 s (bs 32) vs 7.7 s (bs 256) on one GPU.",
            list(fixed.filter { $0.timing != nil }) { String(format: "%.2f s", $0.timing!.secondsPerEpoch) } + "; \(timingSource(fixed)).")
        add(4, TrainingFigures.epochsAndTime(id: "f4", title: "F4 · epochs to the minimum and training time, \(lr)", runs: fixed),
            "158 epochs (bs 32) vs 958 (bs 256); bs 256 took almost 4× as long in total.",
            "epochs to the minimum: " + list(fixed) { "\($0.epochMin)\($0.hitCap ? " (epoch cap reached)" : "")" }
                + "; total seconds: " + list(fixed.filter { $0.timing != nil }) { String(format: "%.0f s", $0.timing!.secondsTotal) }
                + "; \(timingSource(fixed)).")
        add(4, TrainingFigures.dataParallel(id: "f5", title: "F5 · seconds per epoch with data-parallel workers, \(lr)",
                                            single: fixed, parallel: d.parallelRuns.filter { ReportData.same($0.learningRate, d.settings.fixedLR) }),
            "bs 256: 3.97 s on 4 GPUs vs 7.70 s on 1; ~3700 s total vs 1915 s for bs 32.",
            list(d.parallelRuns.filter { $0.timing != nil }) { "\($0.workers) workers \(String(format: "%.2f s", $0.timing!.secondsPerEpoch))" }
                + "; \(timingSource(d.parallelRuns)).")
        add(5, DistanceFigures.fromInit(id: "f6", title: "F6 · distance from the initial weights, \(lr)", rows: fixedRows,
                                        layers: d.distances.layerNames),
            "larger batch ends closer to the initial weights (one exception: 128 farther than 64).",
            "‖θ_min − θ_init‖: " + fixedRows.map { "bs \($0.batchSize) \(n($0.distanceMin))" }.joined(separator: ", ") + ".")
        add(5, DistanceFigures.epochDistance(id: "f7", title: "F7 · epoch distance over epochs, \(lr)", rows: fixedRows, table: d.distances),
            "bs 32: 0.15–0.4 per epoch; bs 256: 0.02–0.04; the ratio grows over time.",
            "epoch distance range: " + fixedRows.map { "bs \($0.batchSize) \(n($0.epochDistance.min() ?? .nan))–\(n($0.epochDistance.max() ?? .nan))" }
                .joined(separator: ", ")
                + (d.distances.ratio.isEmpty ? "" : "; ratio bs \(d.distances.ratioSmallBatch)/bs \(d.distances.ratioLargeBatch) "
                   + "\(n(d.distances.ratio.first!)) in epoch 1 → \(n(d.distances.ratio.last!)) in epoch \(d.distances.ratio.count)") + ".")
        add(5, DistanceFigures.updateNorms(id: "f8", title: "F8 · distribution of the norms of single updates, \(lr)", rows: fixedRows,
                                           edges: d.distances.binEdges),
            "median 3.3e-3 (bs 32) vs 1.5e-3 (bs 256).",
            "median (quartiles): " + fixedRows.map { "bs \($0.batchSize) \(n($0.updateMedian)) (\(n($0.updateQ1))–\(n($0.updateQ3)))" }
                .joined(separator: ", ") + ".")
        add(6, GeometryFigures.interpolation(id: "f9", title: "F9 · loss along the line between the bs-32 and bs-256 minimizers", curve: d.curve),
            "the bs-256 minimizer (α = 1) is sharper.", d.curve.map(curveText) ?? "")
        add(7, GeometryFigures.sharpness(id: "f10", title: "F10 · sharpness per batch size, \(lr)",
                                         series: [("\(lr)", sharp(fixedAll))], epsilon: eps),
            "grows with the batch size.",
            "φ (%): " + sharp(fixed).compactMap { r in r.phi(near: eps).map { "bs \(r.batchSize) \(n($0.phi))" } }.joined(separator: ", ") + ".")
        let grids = d.grids.filter { ReportData.same($0.learningRate, d.settings.fixedLR) }
        add(8, GeometryFigures.contours(id: "f11", title: "F11 · filter-normalised loss landscape around each minimizer, \(lr)", grids: grids),
            "loss changes faster around the bs-256 minimizer.", grids.map(gridText).joined(separator: "; ") + ".")
        add(9, TrainingFigures.lossCurves(id: "f12", title: "F12 · loss per epoch with the linear scaling rule (lr = \(Float(d.settings.baseLR))·bs/\(d.settings.baseBatchSize))",
                                          runs: scaled),
            "the gap mostly closes.", "minimum validation loss: \(scaledMinima).")
        add(9, TrainingFigures.minima(id: "f13", title: "F13 · minimum losses per batch size, scaled lr",
                                      series: [("validation, scaled lr", scaledAll, { $0.minValLoss }, 1),
                                               ("training, scaled lr", scaledAll, { $0.trainLoss.min() ?? .nan }, 2),
                                               ("validation, \(lr)", fixedAll, { $0.minValLoss }, 3)],
                                      original: [(32, 0.345), (256, 0.352)], originalLabel: "original validation (Cats vs Dogs)"),
            "val 0.352 (bs 256) vs 0.345 (bs 32).",
            "validation: \(scaledMinima); training: " + list(scaled) { n($0.trainLoss.min() ?? .nan) } + ".")
        add(9, TrainingFigures.epochsAndTime(id: "f14", title: "F14 · epochs to the minimum and training time, scaled lr", runs: scaled),
            "bs 256: 2197 s vs bs 32: 3156 s.",
            "epochs to the minimum: " + list(scaled) { "\($0.epochMin)\($0.hitCap ? " (epoch cap reached)" : "")" }
                + "; total seconds: " + list(scaled.filter { $0.timing != nil }) { String(format: "%.0f s", $0.timing!.secondsTotal) }
                + "; \(timingSource(scaled)).")
        add(9, GeometryFigures.sharpness(id: "f15", title: "F15 · sharpness with and without lr scaling",
                                         series: [("\(lr)", sharp(fixedAll)), ("scaled lr", sharp(scaledAll))], epsilon: eps),
            "scaled large-batch 4–7 vs 1.14 for bs 32.",
            "φ (%) scaled: " + sharp(scaled).compactMap { r in r.phi(near: eps).map { "bs \(r.batchSize) \(n($0.phi))" } }.joined(separator: ", ") + ".")
        add(9, DistanceFigures.withScaling(id: "f16", title: "F16 · distance from the initial weights with and without lr scaling",
                                           fixed: fixedRows, scaled: scaledRows, fixedName: "\(lr) (fixed)"),
            "scaling moves large-batch minimizers farther.",
            "‖θ_min − θ_init‖ scaled: " + scaledRows.map { "bs \($0.batchSize) \(n($0.distanceMin))" }.joined(separator: ", ") + ".")
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
