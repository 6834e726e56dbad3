// sharpness-check CHECKPOINT DATA SPLIT [TRAIN_SUBSET] [EPSILON]: prints spec S7's acceptance table for one
// trained run: the maximum of f over C_ε reached by L-BFGS-B vs projected-gradient ascent at several steps.
import Foundation
import Landscape
import Study

let arguments = CommandLine.arguments.dropFirst().map { $0 }
guard arguments.count >= 3 else {
    print("usage: sharpness-check CHECKPOINT.h5 IMAGES.h5 SPLIT.h5 [TRAIN_SUBSET=1000] [EPSILON=0.001]")
    exit(2)
}
let subset = arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000
let epsilon = arguments.count > 4 ? Double(arguments[4]) ?? 1e-3 : 1e-3
do {
    let c = try KeskarSharpness.compareWithProjectedGradientAscent(
        checkpoint: URL(fileURLWithPath: arguments[0]), data: URL(fileURLWithPath: arguments[1]),
        split: URL(fileURLWithPath: arguments[2]), epsilon: epsilon, trainSubset: subset, subsetSeed: 1, iterations: 10,
        memory: 10, startSeed: 1, steps: [1e-2, 1e-1, 1, 10, 100], threads: 2)
    func phi(_ f: Double) -> Double { (max(f, c.fX) - c.fX) / (1 + c.fX) * 100 }
    print(String(format: "f(x) = %.6f, ε = %g, %d training images, 10 iterations", c.fX, epsilon, subset))
    print("method                      max f       φ        evaluations")
    print(String(format: "L-BFGS-B (memory 10)        %.6f  %8.4f  %d", c.lbfgsb.fMax, c.lbfgsb.phi, c.lbfgsb.evaluations))
    for a in c.ascent {
        print(String(format: "projected ascent η = %-7g  %.6f  %8.4f  %d", a.step, a.best, phi(a.best), a.evaluations))
    }
} catch {
    print("sharpness-check: \(error)")
    exit(1)
}
