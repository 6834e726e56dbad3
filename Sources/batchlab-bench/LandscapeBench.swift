// `batchlab-bench landscape`: grid points per second of the landscape stage's evaluator (θ + a·δ + b·η
// formed in one buffer, then forward-only loss and accuracy over the training subset) on the default
// grid (21×21 over [−1, 1]², 32×32 images), beside PyTorch doing the same (bench_landscape_pytorch.py).
// Usage: batchlab-bench landscape [--pytorch FILE] [--threads 1,2] [--subset 1000] [--seconds 1] [--repeats 3]
import ArgumentParser
import Foundation
import Landscape
import NN
import Tensor

struct LandscapeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "landscape", abstract: "The landscape grid's points/s beside PyTorch's (saved results).")

    @Option(help: "Saved PyTorch results (the JSON bench_landscape_pytorch.py writes).")
    var pytorch: String?
    @Option(help: "Thread counts, comma-separated.")
    var threads = PositiveInts([1, 2])
    @Option(help: "Training images per point.")
    var subset = 1000
    @Option(help: "Minimum seconds of each repeat.")
    var seconds = 1.0
    @Option(help: "Repeats per row.")
    var repeats = 3

    func validate() throws {
        try requirePositive(subset, "--subset")
        try requirePositive(seconds, "--seconds")
        try requirePositive(repeats, "--repeats")
    }

    func run() throws {
        try LandscapeBench.run(pytorchPath: pytorch, threads: threads.values, subset: subset, seconds: seconds, repeats: repeats)
    }
}

enum LandscapeBench {
    struct PyTorchRows: Decodable {
        struct Row: Decodable {
            var threads: Int, subset: Int
            var nchw: PyTorchResults.Stat
            var channels_last: PyTorchResults.Stat
        }
        var torch: String
        var rows: [Row]
    }

    static func run(pytorchPath: String?, threads: [Int], subset: Int, seconds: Double, repeats: Int) throws {
        var pytorch: PyTorchRows?
        if let pytorchPath {
            do { pytorch = try JSONDecoder().decode(PyTorchRows.self, from: Data(contentsOf: URL(fileURLWithPath: pytorchPath))) } catch {
                fail("cannot read PyTorch landscape results \(pytorchPath): \(error). HINT: run `make bench`, which writes them first.")
            }
        }
        let model = try Model(.study32)
        let theta = model.initialParameters(seed: 1)
        let seeds = Directions.seeds(directionSeed: 1)
        let dx = Directions.random(layout: model.layout, theta: theta, seed: seeds.x, normalisation: .filter)
        let dy = Directions.random(layout: model.layout, theta: theta, seed: seeds.y, normalisation: .filter)
        var rng = SeededGenerator(seed: 2)
        let data = TrainingData(images: (0..<(subset * model.spec.inputSize)).map { _ in rng.nextUnitFloat() },
                                labels: (0..<subset).map { _ in Float(rng.next() & 1) })
        let axes = GridAxes(x: GridAxes.linspace(-1, 1, count: 21), y: GridAxes.linspace(-1, 1, count: 21))

        emit("Landscape grid (stage `landscape`, default settings): points/s, each point = θ + a·δ + b·η and a forward pass")
        emit("over \(subset) 32×32 images in batches of \(GridEvaluator.batch); 21×21 grid over [−1, 1]²"
             + (pytorch.map { "; PyTorch \($0.torch), faster of NCHW and channels_last" } ?? ""))
        let header = "thr subset │ BatchLab points/s   ±%  s/21×21 quiet │ PyTorch points/s layout │ ratio"
        emit(header)
        emit(String(repeating: "─", count: header.count))
        var minRatio = Double.infinity
        for t in threads {
            let evaluator = GridEvaluator(model: model, theta: theta, dx: dx, dy: dy, data: data, threads: t)
            var k = 0
            let m = Measurement.run(imagesPerStep: 1, minSeconds: seconds, repeats: repeats) {
                let (a, b) = axes.point(k % axes.pointCount)
                k += 1
                _ = evaluator.evaluate(a: a, b: b)
            }
            var line = String(format: "%3d %6d │ %16.2f %4.1f %8.1f %2d/%-2d │", t, subset, m.median, m.spreadPercent,
                              Double(axes.pointCount) / m.median, m.quiet, m.quiet + m.busy)
            if let row = pytorch?.rows.first(where: { $0.threads == t && $0.subset == subset }) {
                let (rate, layout) = row.nchw.median >= row.channels_last.median ? (row.nchw.median, "NCHW") : (row.channels_last.median, "CL")
                minRatio = min(minRatio, m.median / rate)
                line += String(format: " %16.2f %6@ │ %5.2f", rate, layout, m.median / rate)
            } else {
                line += String(format: " %16@ %6@ │ %5@", "-", "-", "-")
            }
            emit(line)
        }
        emit(pytorch == nil ? "landscape min ratio vs PyTorch: n/a (no PyTorch results; run `make bench`)"
                            : String(format: "landscape min ratio vs PyTorch: %.2f", minRatio))
        emit("")
    }
}
