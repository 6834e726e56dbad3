// `batchlab-bench core`: training and evaluation throughput of NN.Network, side by side with PyTorch
// (results from scripts/reference/bench_pytorch.py), as a table whose last line is the minimum ratio.
// With --python (what `make bench` uses) the PyTorch rows are measured by a child process in
// alternation with BatchLab's (PyTorchServer.swift); --pytorch FILE compares with saved results.
import ArgumentParser
import Foundation
import NN
import Tensor

struct CoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core", abstract: "The training core's images/s beside PyTorch's (training step and evaluation).")

    @Option(help: "Measure PyTorch in alternation with BatchLab, running bench_pytorch.py with this Python (make bench).")
    var python: String?
    @Option(help: "Compare with saved PyTorch results (the JSON bench_pytorch.py writes).")
    var pytorch: String?
    @Option(help: "Models, comma-separated (32x32, 64x64).")
    var models = BenchModels([.small, .large])
    @Option(help: "Thread counts, comma-separated.")
    var threads = PositiveInts([1, 2])
    @Option(help: "Training batch sizes, comma-separated.")
    var batches = PositiveInts([32, 64, 128, 256])
    @Option(help: "Minimum seconds of each repeat.")
    var seconds = 0.4
    @Option(help: "Repeats (rounds, with --python) per row.")
    var repeats = 5

    func validate() throws {
        try requirePositive(seconds, "--seconds")
        try requirePositive(repeats, "--repeats")
    }

    func run() throws { try CoreBench.run(self) }
}

enum CoreBench {
    static func run(_ options: CoreCommand) throws {
        var pytorch: PyTorchResults?
        if let path = options.pytorch {
            do { pytorch = try PyTorchResults.load(path) } catch {
                fail("cannot read PyTorch results \(path): \(error). HINT: run `make bench`, which writes them first.")
            }
        }
        var server: PyTorchServer?
        if let python = options.python {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/reference/bench_pytorch.py").standardized.path
            do { server = try PyTorchServer(python: python, script: script) } catch {
                fail("cannot start the PyTorch reference (\(python) \(script) --serve): \(error). HINT: run `make bench`, which installs it.")
            }
        }

        NumericEnvironment.setBLASThreads(1)  // what Network uses; recorded below
        let info = NumericEnvironment.blasInfo()
        emit("BatchLab vs PyTorch — training step (forward + backward + SGD) and forward-only evaluation, images/s")
        emit("numerics: \(info); BatchLab chunks of \(Network.chunkSize) images, BLAS single-threaded, own threads over chunks")
        if let pytorch { emit("PyTorch \(pytorch.torch) (saved results): faster of NCHW and channels_last (CL) per row") }
        if let server {
            emit("PyTorch \(server.torch), measured in alternation: each of \(options.repeats) rounds runs BatchLab, NCHW and channels_last")
            emit("(order reversed every other round); PyTorch's layout is the faster by median; ratio = median of the rounds' ratios")
        }
        emit("medians over quiet repeats (≥ \(options.seconds) s each, busy = other processes > \(Measurement.busyCores) cores); ± = half range")
        emit("GFLOP/s counts 2·MACs per forward pass and 3× that per training step")
        emit("")
        let header = "model  mode   thr  batch │ BatchLab img/s   ±%  GFLOP/s quiet │ PyTorch img/s layout │ ratio  rounds"
        emit(header)
        emit(String(repeating: "─", count: header.count))
        var minRatio = Double.infinity
        var memoryNote = ""

        /// A row measured in rounds that alternate BatchLab and both PyTorch layouts.
        func interleavedRow(_ server: PyTorchServer, name: String, spec: ModelSpec, train: Bool, threads: Int, batch: Int) throws
            -> (ours: Measurement, rss: (Double, Double), growth: Double, pytorch: Double, layout: String, ratio: Double, low: Double, high: Double) {
            var ours: [Double] = [], quiet = 0, busy = 0, rss = (0.0, 0.0), growth = 0.0
            var layouts: [String: [Double]] = ["nchw": [], "channels_last": []]
            for round in 0..<options.repeats {
                var order = ["batchlab", "nchw", "channels_last"]
                if round % 2 == 1 { order.reverse() }
                for side in order {
                    if side == "batchlab" {
                        let (m, r, g) = try measureRow(spec: spec, train: train, threads: threads, batch: batch,
                                                       seconds: options.seconds, repeats: 1)
                        ours.append(m.median); quiet += m.quiet; busy += m.busy; rss = r; growth = max(growth, g)
                    } else {
                        let stat = try server.measure(model: name, mode: train ? "train" : "eval", threads: threads, batch: batch,
                                                      layout: side, seconds: options.seconds)
                        layouts[side]!.append(stat.median)
                    }
                }
            }
            let best = medianOf(layouts["nchw"]!) >= medianOf(layouts["channels_last"]!) ? "nchw" : "channels_last"
            let ratios = zip(ours, layouts[best]!).map { $0 / $1 }.sorted()
            let m = Measurement(median: medianOf(ours), min: ours.min()!, max: ours.max()!, quiet: quiet, busy: busy)
            return (m, rss, growth, medianOf(layouts[best]!), best == "nchw" ? "NCHW" : "CL", medianOf(ratios), ratios.first!, ratios.last!)
        }

        for model in options.models.values {
            let (name, spec) = (model.rawValue, model.spec)
            for threads in options.threads.values {
                let plan = options.batches.values.map { (true, $0) } + [(false, 256)]
                for (train, batch) in plan {
                    var line: String
                    var rssNote: ((Double, Double), Double)
                    if let server {
                        let r = try interleavedRow(server, name: name, spec: spec, train: train, threads: threads, batch: batch)
                        let flops = (train ? spec.trainingFLOPsPerImage : spec.forwardFLOPsPerImage) * r.ours.median / 1e9
                        line = String(format: "%-6@ %-6@ %3d %6d │ %14.0f %4.1f %8.1f %2d/%-2d │ %13.0f %6@ │ %5.2f  %.2f–%.2f", name,
                                      train ? "train" : "eval", threads, batch, r.ours.median, r.ours.spreadPercent, flops, r.ours.quiet,
                                      r.ours.quiet + r.ours.busy, r.pytorch, r.layout, r.ratio, r.low, r.high)
                        minRatio = min(minRatio, r.ratio)
                        rssNote = (r.rss, r.growth)
                    } else {
                        let (m, rss, growth) = try measureRow(spec: spec, train: train, threads: threads, batch: batch, seconds: options.seconds,
                                                                repeats: options.repeats)
                        let flops = (train ? spec.trainingFLOPsPerImage : spec.forwardFLOPsPerImage) * m.median / 1e9
                        line = String(format: "%-6@ %-6@ %3d %6d │ %14.0f %4.1f %8.1f %2d/%-2d │", name, train ? "train" : "eval",
                                      threads, batch, m.median, m.spreadPercent, flops, m.quiet, m.quiet + m.busy)
                        if let row = pytorch?.row(model: name, mode: train ? "train" : "eval", threads: threads, batch: batch) {
                            let best = row.best
                            let ratio = m.median / best.rate
                            minRatio = min(minRatio, ratio)
                            line += String(format: " %13.0f %6@ │ %5.2f", best.rate, best.layout, ratio)
                        } else {
                            line += String(format: " %13@ %6@ │ %5@", "-", "-", "-")
                        }
                        rssNote = (rss, growth)
                    }
                    emit(line)
                    if name == "64x64" && batch == 256 && train && memoryNote.isEmpty {
                        memoryNote = String(format: "memory, 64x64 training at batch 256 (%d thr): RSS %.0f MiB after the row, peak %.0f MiB, growth during the timed steps %+.1f MiB",
                                            threads, rssNote.0.0, rssNote.0.1, rssNote.1)
                    }
                }
            }
        }
        server?.close()
        if !memoryNote.isEmpty { emit(memoryNote) }
        if pytorch == nil && server == nil {
            emit("min ratio vs PyTorch: n/a (no PyTorch results; run `make bench`)")
        } else {
            emit(String(format: "min ratio vs PyTorch: %.2f", minRatio))
        }
    }

    /// One benchmark row: builds the workspaces, then measures full SGD steps or forward-only evaluation.
    static func measureRow(spec: ModelSpec, train: Bool, threads: Int, batch: Int, engine: ConvEngine = .preferred,
                           seconds: Double, repeats: Int) throws -> (Measurement, rss: (Double, Double), growth: Double) {
        let model = try Model(spec)
        let net = Network(model: model, maxBatch: batch, threads: threads, convEngine: engine)
        var theta = model.initialParameters(seed: 1)
        var grad = [Float](repeating: 0, count: theta.count)
        var rng = SeededGenerator(seed: 2)
        let images = (0..<(batch * spec.inputSize)).map { _ in 2 * rng.nextUnitFloat() - 1 }
        let labels = (0..<batch).map { _ in Float(rng.next() & 1) }
        let step: () -> Void = {
            theta.withUnsafeMutableBufferPointer { t in images.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in
                if train {
                    let stats = grad.withUnsafeMutableBufferPointer { net.gradient(parameters: UnsafeBufferPointer(t), images: x, labels: y, gradient: $0) }
                    // lr 0 keeps θ (and the work per step) fixed; the step still reads and writes every parameter.
                    _ = grad.withUnsafeBufferPointer { SGD.step(parameters: t, gradientSum: $0, count: stats.count, learningRate: 0) }
                } else {
                    _ = net.evaluate(parameters: UnsafeBufferPointer(t), images: x, labels: y)
                }
            } } }
        }
        step()
        let before = Machine.residentMiB().current
        let m = Measurement.run(imagesPerStep: batch, minSeconds: seconds, repeats: repeats, step)
        let after = Machine.residentMiB()
        return (m, (after.current, after.peak), after.current - before)
    }
}
