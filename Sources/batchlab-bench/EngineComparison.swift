// `batchlab-bench --engines [rounds]`: the speed-up of the AVX-512 conv engine over OpenBLAS per
// training row. The host's noise moves absolute rates by ±30 % from minute to minute, so the two
// engines are measured in alternation (0.3 s each) and the row reports the median of the per-round
// ratios, which that noise mostly cancels out of.
import NN
import Tensor

enum EngineComparison {
    static func run(rounds: Int) {
        guard ConvEngine.avx512.isAvailable else { emit("no AVX-512 on this CPU: only the OpenBLAS engine runs here"); return }
        emit("model  thr batch │ OpenBLAS img/s  AVX-512 img/s │ median ratio (min–max of \(rounds) rounds)")
        for name in ["32x32", "64x64"] {
            for threads in [1, 2] {
                for batch in [32, 256] {
                    var rates: [ConvEngine: [Double]] = [:], ratios: [Double] = []
                    for _ in 0..<rounds {
                        var pair: [ConvEngine: Double] = [:]
                        for engine in [ConvEngine.openBLAS, .avx512] {
                            let m = try! measureRow(spec: specs[name]!, train: true, threads: threads, batch: batch, engine: engine,
                                                    seconds: 0.3, repeats: 1).0
                            pair[engine] = m.median
                            rates[engine, default: []].append(m.median)
                        }
                        ratios.append(pair[.avx512]! / pair[.openBLAS]!)
                    }
                    ratios.sort()
                    emit(String(format: "%-6@ %3d %5d │ %14.0f %14.0f │ %5.2f (%.2f–%.2f)", name, threads, batch,
                                medianOf(rates[.openBLAS]!), medianOf(rates[.avx512]!), medianOf(ratios), ratios.first!, ratios.last!))
                }
            }
        }
    }
}
