// `distances`: every training run's movement through weight space (spec S5, F4, F6–F8, F13, F16) from
// its checkpoint: distances from θ_init (total and per layer), epoch distances and the small/large
// batch ratio, update-norm quartiles and histogram, epochs to the minimum and the minimum losses.
import Foundation
import NN
import Pipeline
import Store
import StudyReport
import Training

public struct DistancesStage: Stage {
    public static let kind = "distances"
    // Norms and distances in Double loops over its inputs: no BLAS.
    public static let numerics = StageNumerics.portable
    public static let codeVersion = 2  // 2: /runs/replicate
    public static let summary = "distances from θ_init, epoch distances, update-norm distributions per training run"

    public struct Parameters: StageParameters {
        public var smallBatchSize = 32
        public var largeBatchSize = 256
        public var ratioLR = 0.01
        public var bins = 40

        public init() {}

        public static var bindings: [ParamBinding<Parameters>] {
            [.field("small_batch_size", \.smallBatchSize, help: "numerator of the epoch-distance ratio", range: .atLeast(1)),
             .field("large_batch_size", \.largeBatchSize, help: "denominator of the epoch-distance ratio", range: .atLeast(1)),
             .field("ratio_lr", \.ratioLR, help: "learning rate of the two ratio runs", range: .greaterThan(0)),
             .field("bins", \.bins, help: "log-spaced bins of the update-norm histogram", range: .atLeast(1))]
        }
    }

    public static let inputs = [InputSpec("runs", many: true, help: "train checkpoints")]
    public static let outputs = [OutputSpec("distances", .hdf5, help: "per-run distances and update statistics")]

    public static func run(_ context: StageContext) throws {
        let p = try context.parameters(Parameters.self)
        let bins = p.bins
        var measured: [(run: DistanceTable.Run, norms: [Double], layers: [String], model: String)] = []
        for (i, url) in context.inputs("runs").enumerated() {
            context.progress("run \(i + 1)/\(context.inputs("runs").count)")
            measured.append(try measure(url, stage: context.instance))
        }
        guard let model = measured.first?.model else {
            throw StudyError.badInput(stage: context.instance, file: "(runs)", detail: "no training checkpoints; wire train.checkpoint")
        }
        if let other = measured.first(where: { $0.model != model }) {
            throw StudyError.badInput(stage: context.instance, file: "(runs)",
                                      detail: "runs of different models (\(model) vs \(other.model)); compare like with like")
        }
        let layers = measured[0].layers
        // One set of bin edges for every run, so the histograms overlay.
        let positive = measured.flatMap(\.norms).filter { $0 > 0 }
        let edges = RunStatistics.logEdges(low: positive.min() ?? 1e-6, high: positive.max() ?? 1, bins: bins)
        var runs = measured.map { entry -> DistanceTable.Run in
            var run = entry.run
            run.updateHistogram = RunStatistics.histogram(entry.norms, edges: edges)
            return run
        }
        runs.sort { ($0.learningRate, $0.batchSize, $0.workers, $0.replicate) < ($1.learningRate, $1.batchSize, $1.workers, $1.replicate) }
        let (small, large, lr) = (p.smallBatchSize, p.largeBatchSize, p.ratioLR)
        let ratio = epochDistanceRatio(runs, small: small, large: large, lr: lr)
        let table = DistanceTable(layerNames: layers, runs: runs, binEdges: edges, ratio: ratio,
                                  ratioSmallBatch: small, ratioLargeBatch: large, ratioLearningRate: lr)
        try table.write(to: context.output("distances").path)
        for run in runs {
            let tag = "[bs=\(run.batchSize),lr=\(Float(run.learningRate))\(run.workers > 1 ? ",workers=\(run.workers)" : "")"
                + "\(run.replicate > 1 ? ",rep=\(run.replicate)" : "")]"
            context.metric("distance_min" + tag, run.distanceMin)
            context.metric("distance_final" + tag, run.distanceFinal)
            context.metric("median_update_norm" + tag, run.updateMedian)
            context.metric("mean_epoch_distance" + tag, run.epochDistance.reduce(0, +) / Double(max(run.epochDistance.count, 1)))
        }
        if let first = ratio.first, let last = ratio.last {
            context.metric("epoch_distance_ratio_first", first)
            context.metric("epoch_distance_ratio_last", last)
        }
    }

    /// One checkpoint's row (histogram filled in later, once the shared bins are known) and its update norms.
    static func measure(_ url: URL, stage: String) throws -> (run: DistanceTable.Run, norms: [Double], layers: [String], model: String) {
        let trained = try TrainedRun.load(url, stage: stage)
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        let trainLoss = try file.read("/epochs/train_loss", as: Double.self).values
        let valLoss = try file.read("/epochs/val_loss", as: Double.self).values
        let epochDistance = try file.read("/epochs/distance", as: Double.self).values
        let norms = try file.read("/updates/norm", as: Double.self).values
        guard case .int(let epochMin) = try file.attribute("epoch_min"), epochMin >= 1, Int(epochMin) <= valLoss.count else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "attribute epoch_min is missing or outside the epochs")
        }
        // Every checkpoint records its workers; one written before that attribute existed was one process.
        var workers = 1
        if case .int(let w)? = try? file.attribute("workers") { workers = Int(w) }
        let groups = layerGroups(trained.model.layout)
        let sorted = norms.sorted()
        let run = DistanceTable.Run(
            batchSize: trained.batchSize, learningRate: trained.learningRate, workers: workers,
            epochsRun: valLoss.count, epochMin: Int(epochMin),
            distanceMin: distance(trained.thetaMin, trained.thetaInit, ranges: groups.flatMap(\.ranges)),
            distanceFinal: distance(trained.thetaFinal, trained.thetaInit, ranges: groups.flatMap(\.ranges)),
            minTrainLoss: trainLoss.min() ?? .nan, minValidationLoss: valLoss.min() ?? .nan,
            trainLossAtMin: trainLoss[Int(epochMin) - 1],
            layerDistanceMin: groups.map { distance(trained.thetaMin, trained.thetaInit, ranges: $0.ranges) },
            layerDistanceFinal: groups.map { distance(trained.thetaFinal, trained.thetaInit, ranges: $0.ranges) },
            epochDistance: epochDistance,
            updateMedian: RunStatistics.quantile(sorted: sorted, 0.5), updateQ1: RunStatistics.quantile(sorted: sorted, 0.25),
            updateQ3: RunStatistics.quantile(sorted: sorted, 0.75), updateMin: sorted.first ?? .nan,
            updateMax: sorted.last ?? .nan, updateCount: norms.count, updateHistogram: [], replicate: trained.replicate)
        return (run, norms, groups.map(\.name), "\(trained.model.spec)")
    }

    /// Layers as the spec counts them: a layer's weight and bias slices together (conv1, …, out).
    static func layerGroups(_ layout: ParameterLayout) -> [(name: String, ranges: [Range<Int>])] {
        var groups: [(name: String, ranges: [Range<Int>])] = []
        for slice in layout.slices {
            let name = String(slice.name.split(separator: ".").first ?? Substring(slice.name))
            if groups.last?.name == name { groups[groups.count - 1].ranges.append(slice.range) } else {
                groups.append((name, [slice.range]))
            }
        }
        return groups
    }

    /// ‖a − b‖₂ over the given index ranges, accumulated in Double in index order.
    static func distance(_ a: [Float], _ b: [Float], ranges: [Range<Int>]) -> Double {
        var sum = 0.0
        for range in ranges {
            for i in range {
                let d = Double(a[i]) - Double(b[i])
                sum += d * d
            }
        }
        return sum.squareRoot()
    }

    /// Checkpoints hold lr as float32 widened to double (0.01 → 0.00999999977…): compare at float precision.
    /// small/large epoch distance per epoch at `lr`, over the shorter of the two single-worker runs of replicate 1.
    static func epochDistanceRatio(_ runs: [DistanceTable.Run], small: Int, large: Int, lr: Double) -> [Double] {
        func find(_ bs: Int) -> DistanceTable.Run? {
            runs.first { $0.batchSize == bs && DistanceTable.sameLearningRate($0.learningRate, lr) && $0.workers == 1 && $0.replicate == 1 }
        }
        guard let a = find(small), let b = find(large) else { return [] }
        let n = min(a.epochDistance.count, b.epochDistance.count)
        return (0..<n).map { a.epochDistance[$0] / b.epochDistance[$0] }
    }
}
