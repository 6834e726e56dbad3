// `batchlab-bench engines [--rounds N]`: the speed-up of each own-kernel conv engine the CPU has
// (AVX-512, AVX2) over OpenBLAS per training row. The host's noise moves absolute rates by ±30 % from
// minute to minute, so the engines are measured in alternation (0.3 s each) and the row reports the
// median of the per-round ratios, which that noise mostly cancels out of.
import ArgumentParser
import NN
import Tensor

struct EnginesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engines", abstract: "Each own-kernel conv engine's training speed-up over OpenBLAS, measured in alternation.")

    @Option(help: "Alternating rounds per row.")
    var rounds = 7

    func validate() throws { try requirePositive(rounds, "--rounds") }

    func run() throws { EngineComparison.run(rounds: rounds) }
}

enum EngineComparison {
    static func run(rounds: Int) {
        let own = ConvEngine.allCases.filter { $0.hasOwnKernels && $0.isAvailable }
        guard !own.isEmpty else { emit("neither AVX-512 nor AVX2 + FMA on this CPU: only the OpenBLAS engine runs here"); return }
        let engines = [ConvEngine.openBLAS] + own
        emit("model  thr batch │" + engines.map { ($0.rawValue + " img/s").leftPadded(15) }.joined()
             + " │ median ratio to openblas (min–max of \(rounds) rounds)")
        for model in BenchModel.allCases {
            let name = model.rawValue
            for threads in [1, 2] {
                for batch in [32, 256] {
                    var rates: [ConvEngine: [Double]] = [:], ratios: [ConvEngine: [Double]] = [:]
                    for round in 0..<rounds {
                        var pair: [ConvEngine: Double] = [:]
                        for engine in round % 2 == 0 ? engines : engines.reversed() {
                            let m = try! CoreBench.measureRow(spec: model.spec, train: true, threads: threads, batch: batch, engine: engine,
                                                              seconds: 0.3, repeats: 1).0
                            pair[engine] = m.median
                            rates[engine, default: []].append(m.median)
                        }
                        for engine in own { ratios[engine, default: []].append(pair[engine]! / pair[.openBLAS]!) }
                    }
                    let cells = engines.map { String(format: "%.0f", medianOf(rates[$0]!)).leftPadded(15) }.joined()
                    let summary = own.map { engine -> String in
                        let r = ratios[engine]!.sorted()
                        return String(format: "%@ %.2f (%.2f–%.2f)", engine.rawValue, medianOf(r), r.first!, r.last!)
                    }.joined(separator: ", ")
                    emit(String(format: "%-6@ %3d %5d │", name, threads, batch) + cells + " │ " + summary)
                }
            }
        }
    }
}
