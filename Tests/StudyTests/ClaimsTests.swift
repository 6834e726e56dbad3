// The claims decided from replicated runs: a clear trend holds, the reverse is contradicted, noise
// larger than the effect is inconclusive, one replicate is inconclusive with its reason, and the
// epoch cap's lower bounds are respected. The statistics themselves are checked against statsmodels
// in StatisticsTests.
@testable import StudyReport
import XCTest

final class ClaimsTests: XCTestCase {
    /// A run whose minimum validation loss is `minVal` (reached at epoch `epochMin` of 3 + epochMin).
    private func run(_ bs: Int, lr: Double = 0.01, replicate: Int, minVal: Double, epochMin: Int = 2,
                     stopped: String = "patience") -> ReportRun {
        let epochs = epochMin + 3
        var valLoss = (0..<epochs).map { minVal + 0.1 * Double(abs($0 + 1 - epochMin)) }
        valLoss[epochMin - 1] = minVal
        var r = ReportRun(batchSize: bs, learningRate: lr, workers: 1, trainLoss: valLoss, valLoss: valLoss,
                          valAccuracy: valLoss.map { _ in 0.8 }, epochMin: epochMin, maxEpochs: stopped == "max_epochs" ? epochs : 1000,
                          stopped: stopped)
        r.replicate = replicate
        return r
    }

    private func claims(_ runs: [ReportRun], evaluation: TestEvaluation? = nil) -> [ClaimResult] {
        let table = DistanceTable(layerNames: [], runs: [], binEdges: [1, 2], ratio: [], ratioSmallBatch: 32,
                                  ratioLargeBatch: 256, ratioLearningRate: 0.01)
        return ReportClaims.evaluate(ReportData(runs: runs, evaluation: evaluation, distances: table, curve: nil, sharpness: [], grids: [],
                                                settings: ReportSettings()))
    }

    /// 3 replicates × 4 batch sizes; replicate offsets (θ_init effects) much larger than the noise.
    private func family(slope: Double, noise: [Double], lr: (Int) -> Double = { _ in 0.01 }, epochMin: (Int) -> Int = { _ in 2 },
                        stopped: (Int) -> String = { _ in "patience" }) -> [ReportRun] {
        var k = 0
        return (1...3).flatMap { rep in
            [32, 64, 128, 256].map { bs -> ReportRun in
                defer { k += 1 }
                let y = 0.30 + 0.05 * Double(rep) + slope * log2(Double(bs) / 32) + noise[k % noise.count]
                return run(bs, lr: lr(bs), replicate: rep, minVal: y, epochMin: epochMin(bs), stopped: stopped(bs))
            }
        }
    }

    private let smallNoise = [0.001, -0.002, 0.0015, -0.001, 0.0005]

    func testAClearTrendHoldsAndItsReverseIsContradicted() throws {
        let up = claims(family(slope: 0.01, noise: smallNoise))[0]
        XCTAssertEqual(up.verdict, .holds, up.evidence)
        let effect = try XCTUnwrap(up.effect)
        XCTAssertEqual(effect.estimate, 0.01, accuracy: 0.002)
        XCTAssertEqual(effect.degreesOfFreedom, 12 - 3 - 1, "12 runs, 3 replicate intercepts, 1 slope")
        XCTAssertTrue(up.evidence.contains("over 3 replicate(s)") && up.evidence.contains("per doubling"), up.evidence)
        XCTAssertEqual(claims(family(slope: -0.01, noise: smallNoise))[0].verdict, .contradicted)
    }

    func testGeneralisationIsDecidedOnTheHeldOutTestSetWhenThereIsOne() {
        // Validation minima rise with the batch; the test losses fall: the test set decides, and says so.
        let runs = family(slope: 0.01, noise: smallNoise)
        let evaluation = TestEvaluation(runs: runs.map {
            .init(batchSize: $0.batchSize, learningRate: $0.learningRate, workers: 1, replicate: $0.replicate,
                  testLoss: 0.5 + 0.05 * Double($0.replicate) - 0.01 * log2(Double($0.batchSize)), testAccuracy: 0.8)
        }, testCount: 4000, evaluationBatch: 256)
        let onTest = claims(runs, evaluation: evaluation)[0]
        XCTAssertEqual(onTest.verdict, .contradicted, onTest.evidence)
        XCTAssertTrue(onTest.evidence.hasPrefix("test loss at θ_min (4000 held-out images)"), onTest.evidence)
        let onValidation = claims(runs)[0]
        XCTAssertEqual(onValidation.verdict, .holds)
        XCTAssertTrue(onValidation.evidence.contains("no held-out test set in this pipeline"), onValidation.evidence)
    }

    func testNoiseLargerThanTheEffectIsInconclusive() {
        let noisy = claims(family(slope: 0.001, noise: [0.03, -0.04, 0.02, 0.05, -0.03, -0.02, 0.04]))[0]
        XCTAssertEqual(noisy.verdict, .inconclusive, noisy.evidence)
    }

    func testOneReplicateIsInconclusiveAndSaysWhy() {
        let single = claims(family(slope: 0.05, noise: smallNoise).filter { $0.replicate == 1 })[0]
        XCTAssertEqual(single.verdict, .inconclusive)
        XCTAssertTrue(single.evidence.hasPrefix("one replicate only"), single.evidence)
        XCTAssertNil(single.effect)
    }

    func testTheScalingRuleClaimComparesTheSlopesOfBothFamilies() {
        // Fixed lr: +0.02 per doubling; scaled lr (lr ∝ bs, bs 32 shared): flat. The gap shrinks.
        let fixed = family(slope: 0.02, noise: smallNoise)
        let scaled = family(slope: 0.0, noise: smallNoise.reversed(), lr: { 0.01 * Double($0) / 32 }).filter { $0.batchSize > 32 }
        let six = claims(fixed + scaled)[5]
        XCTAssertEqual(six.verdict, .holds, six.evidence)
        XCTAssertEqual(six.effect?.estimate ?? 0, -0.02, accuracy: 0.003)
    }

    func testEpochCapLowerBoundsOnlyCountWhenTheyCannotFlipTheVerdict() {
        let epochs: (Int) -> Int = { Int(log2(Double($0) / 32)) * 10 + 5 }
        // Only the largest batch capped: its true minimum is later still, so "holds" stands.
        let capLarge = claims(family(slope: 0, noise: [0], epochMin: epochs, stopped: { $0 == 256 ? "max_epochs" : "patience" }))[2]
        XCTAssertEqual(capLarge.verdict, .holds, capLarge.evidence)
        // The smallest batch capped: its lower bound could hide a reversal.
        let capSmall = claims(family(slope: 0, noise: [0], epochMin: epochs, stopped: { $0 == 32 ? "max_epochs" : "patience" }))[2]
        XCTAssertEqual(capSmall.verdict, .inconclusive, capSmall.evidence)
        XCTAssertTrue(capSmall.evidence.contains("raise max_epochs"))
    }

    /// Claim 2 over both worker counts: one common slope of log seconds with every (worker count, round)
    /// its own block. One worker alone is too noisy to decide; with the 2-rank setup (a larger effect)
    /// the pooled slope holds, and its degrees of freedom count the blocks of both setups.
    func testSecondsPerEpochPoolsTheWorkerCountsWithRoundsAsBlocks() throws {
        func table(workers: Int, _ seconds: [[Double]]) -> TimingTable {
            TimingTable(batchSizes: [32, 64, 128, 256], seconds: seconds, workers: workers, threads: 1, warmup: 1, machine: "Test CPU",
                        engine: "e", trainCount: 800, model: "m", busyCores: Double(workers))
        }
        // Rounds drift together (a round is a block); within a round 1 worker barely moves, 2 workers fall 5 % per doubling.
        let single = table(workers: 1, [[1.00, 1.10, 0.95], [1.01, 1.08, 0.96], [0.99, 1.11, 0.94], [1.00, 1.09, 0.97]])
        let parallel = table(workers: 2, (0..<4).map { b in [0.60, 0.66, 0.57].map { $0 * pow(0.95, Double(b)) } })
        let alone = ReportClaims.secondsPerEpoch([single], sizes: [32, 64, 128, 256])
        XCTAssertEqual(alone.verdict, .inconclusive, alone.evidence)
        let pooled = ReportClaims.secondsPerEpoch([single, parallel], sizes: [32, 64, 128, 256])
        XCTAssertEqual(pooled.verdict, .holds, pooled.evidence)
        let effect = try XCTUnwrap(pooled.effect)
        XCTAssertEqual(effect.degreesOfFreedom, 24 - 6 - 1, "24 timings, 3 rounds × 2 worker counts as blocks, 1 slope")
        XCTAssertEqual(exp(effect.estimate), 0.975, accuracy: 0.005, "the average of ≈ 1.00 and 0.95 per doubling")
        XCTAssertTrue(pooled.evidence.contains("1 worker × 1 thread") && pooled.evidence.contains("2 workers × 1 thread")
                      && pooled.evidence.contains("all 2 worker counts together"), pooled.evidence)
    }

    /// Claims 5 and 7 rest on Keskar's φ and say so; when the pipeline has Hessian results, λ_max's trend
    /// is shown beside φ's with its own interval and verdict, without deciding the claim.
    func testSharpnessClaimsNameTheirMeasureAndShowLambdaMaxBeside() throws {
        let runs = family(slope: 0, noise: smallNoise)
        let offsets = [0.0, 3.0, -2.0, 1.0, 0.5, -1.5]
        var k = 0
        // φ flat with noise (inconclusive); λ_max × 1.2 per doubling within every replicate.
        let sharpness = runs.map { r -> SharpnessResult in
            defer { k += 1 }
            return SharpnessResult(batchSize: r.batchSize, learningRate: r.learningRate, replicate: r.replicate, epsilon: [1e-3],
                                   phi: [50 + 10 * Double(r.replicate) + offsets[k % offsets.count]], fX: [0.3], fMax: [0.5])
        }
        let hessians = runs.map { r in
            HessianResult(batchSize: r.batchSize, learningRate: r.learningRate, replicate: r.replicate,
                          lambdaMax: (40 + 5 * Double(r.replicate)) * pow(1.2, log2(Double(r.batchSize) / 32)) * (1 + 0.01 * sin(Double(r.batchSize))),
                          trace: 100, traceStandardError: 1, nodes: [], weights: [])
        }
        let table = DistanceTable(layerNames: [], runs: [], binEdges: [1, 2], ratio: [], ratioSmallBatch: 32,
                                  ratioLargeBatch: 256, ratioLearningRate: 0.01)
        var data = ReportData(runs: runs, distances: table, curve: nil, sharpness: sharpness, grids: [], settings: ReportSettings())
        let alone = ReportClaims.evaluate(data)[4]
        XCTAssertEqual(alone.verdict, .inconclusive, alone.evidence)
        XCTAssertTrue(alone.claim.hasSuffix("(by Keskar's φ)") && !alone.evidence.contains("λ_max"), alone.claim + alone.evidence)
        data.hessians = hessians
        let beside = ReportClaims.evaluate(data)[4]
        XCTAssertEqual(beside.verdict, .inconclusive, "λ_max is shown, it does not decide: " + beside.evidence)
        XCTAssertTrue(beside.claim.hasSuffix("(by Keskar's φ)"), beside.claim)
        XCTAssertEqual(try XCTUnwrap(beside.effect).estimate, try XCTUnwrap(alone.effect).estimate, "the effect is φ's")
        XCTAssertTrue(beside.evidence.contains("λ_max of the Hessian") && beside.evidence.contains("× 1.19 [")
                      && beside.evidence.contains("(by λ_max alone: holds)"), beside.evidence)
    }
    /// Families with unequal replicates (pipelines/study-extended.yaml: the fixed lr in 15, the scaled lr in
    /// 5): the fixed family's claims use all 15; claims 6 and 7 use the replicates in which every member of
    /// their families exists (1–5: bs 32 at lr 0.01 alone in 6–15 is no paired comparison), and each says so.
    func testEachClaimUsesTheReplicatesWhereItsWholeFamilyExists() throws {
        var k = 0
        func y(_ rep: Int, _ bs: Int, slope: Double) -> Double {
            defer { k += 1 }
            return 0.30 + 0.05 * Double(rep % 4) + slope * log2(Double(bs) / 32) + smallNoise[k % smallNoise.count]
        }
        let fixed = (1...15).flatMap { rep in [32, 64, 128, 256].map { run($0, replicate: rep, minVal: y(rep, $0, slope: 0.01)) } }
        let scaled = (1...5).flatMap { rep in
            [64, 128, 256].map { run($0, lr: 0.01 * Double($0) / 32, replicate: rep, minVal: y(rep, $0, slope: 0)) }
        }
        let runs = fixed + scaled
        let sharpness = runs.map { r in
            SharpnessResult(batchSize: r.batchSize, learningRate: r.learningRate, replicate: r.replicate, epsilon: [1e-3],
                            phi: [50 + Double(r.replicate) + 2 * log2(Double(r.batchSize)) + 0.1 * sin(Double(7 * r.replicate + r.batchSize))],
                            fX: [0.3], fMax: [0.5])
        }
        let table = DistanceTable(layerNames: [], runs: [], binEdges: [1, 2], ratio: [], ratioSmallBatch: 32,
                                  ratioLargeBatch: 256, ratioLearningRate: 0.01)
        let results = ReportClaims.evaluate(ReportData(runs: runs, distances: table, curve: nil, sharpness: sharpness, grids: [],
                                                       settings: ReportSettings()))
        let one = results[0], three = results[2], five = results[4], six = results[5], seven = results[6]
        for claim in [one, three, five] {
            XCTAssertEqual(claim.replicates, Array(1...15), "claim \(claim.number): \(claim.evidence)")
            XCTAssertTrue(claim.evidence.contains("n = 15 replicates (1–15)") && !claim.evidence.contains("left out"), claim.evidence)
        }
        XCTAssertEqual(one.verdict, .holds, one.evidence)
        XCTAssertEqual(one.effect?.degreesOfFreedom, 60 - 15 - 1, "60 runs, 15 replicate intercepts, 1 slope")
        for claim in [six, seven] {
            XCTAssertEqual(claim.replicates, Array(1...5), "claim \(claim.number): \(claim.evidence)")
            XCTAssertTrue(claim.evidence.contains("n = 5 replicates (1–5; 6–15 left out: not every batch size of "), claim.evidence)
        }
        // Claim 6: 5 blocks of the fixed family (20 runs) and of the scaled (bs 32 shared: 20 runs); 5 intercepts, 3 slopes/shifts.
        XCTAssertEqual(six.effect?.degreesOfFreedom, 40 - 5 - 3, six.evidence)
        XCTAssertEqual(six.verdict, .holds, six.evidence)
        // Claim 7 on φ over the scaled family's 5 complete blocks: 4 batch sizes × 5, 5 intercepts, 1 slope.
        XCTAssertEqual(seven.effect?.degreesOfFreedom, 20 - 5 - 1, seven.evidence)
        XCTAssertEqual(ReportClaims.replicatesUsed(results),
                       "Replicates per claim: claims 1, 3, 5: n = 15 (replicates 1–15); claims 6, 7: n = 5 (replicates 1–5).")

        // One run missing (replicate 7's bs 128): replicate 7 is left out of claim 1, not mixed in as a partial
        // block; the slope is the one of the other 14 replicates.
        let gap = runs.filter { !($0.replicate == 7 && $0.batchSize == 128) }
        let withGap = claims(gap)[0], without = claims(gap.filter { $0.replicate != 7 })[0]
        XCTAssertEqual(withGap.replicates, Array(1...6) + Array(8...15))
        XCTAssertTrue(withGap.evidence.contains("n = 14 replicates (1–6, 8–15; 7 left out: not every batch size of the family measured there)"),
                      withGap.evidence)
        XCTAssertEqual(try XCTUnwrap(withGap.effect).estimate, try XCTUnwrap(without.effect).estimate, accuracy: 1e-12)
        XCTAssertEqual(withGap.effect?.degreesOfFreedom, without.effect?.degreesOfFreedom)
    }

    /// The protocol for a run that never left the initial plateau (train's plateau_loss set, max_epochs reached,
    /// no val loss below it): it is missing to the claims, so its replicate drops out of the family's complete
    /// blocks (the same numbers as without that replicate), and the report names it beside "Replicates per claim".
    /// A run with plateau_loss set that did leave the plateau counts as usual.
    func testARunThatNeverLeftThePlateauIsExcludedAndNamed() throws {
        var k = 0
        let runs = (1...10).flatMap { rep in
            [32, 64, 128, 256].map { bs -> ReportRun in
                defer { k += 1 }
                var r = run(bs, replicate: rep, minVal: 0.30 + 0.05 * Double(rep % 4) + 0.01 * log2(Double(bs) / 32)
                                + smallNoise[k % smallNoise.count])
                r.plateauLoss = 0.68
                r.plateauLeftEpoch = 1
                return r
            }
        }
        // Replicate 9's bs 256: chance loss (ln 2) for all 800 epochs, stopped by the cap.
        var stuck = run(256, replicate: 9, minVal: 0.6933, epochMin: 12, stopped: "max_epochs")
        stuck.valLoss = Array(repeating: 0.6935, count: 800)
        stuck.valLoss[11] = 0.6933
        stuck.maxEpochs = 800
        stuck.plateauLoss = 0.68
        XCTAssertTrue(stuck.neverLeftPlateau)
        XCTAssertFalse(runs[0].neverLeftPlateau, "left the plateau at epoch 1")
        var unset = stuck
        unset.plateauLoss = nil
        XCTAssertFalse(unset.neverLeftPlateau, "no plateau_loss: no rule, the run counts as before")

        let all = runs.filter { !($0.replicate == 9 && $0.batchSize == 256) } + [stuck]
        let results = claims(all), without = claims(runs.filter { $0.replicate != 9 })
        for (with, reference) in [(results[0], without[0]), (results[2], without[2])] {
            XCTAssertEqual(with.replicates, Array(1...8) + [10], "claim \(with.number): \(with.evidence)")
            XCTAssertTrue(with.evidence.contains("n = 9 replicates (1–8, 10; 9 left out: not every batch size of the family measured there)"),
                          with.evidence)
            XCTAssertEqual(try XCTUnwrap(with.effect).estimate, try XCTUnwrap(reference.effect).estimate, accuracy: 1e-12)
            XCTAssertEqual(with.effect?.degreesOfFreedom, reference.effect?.degreesOfFreedom)
        }
        XCTAssertFalse(results[2].evidence.contains("epoch cap"), "the excluded run is not one of claim 3's capped runs: \(results[2].evidence)")
        let named = "Excluded from the claims (never left the initial plateau: no validation loss below plateau_loss before "
            + "max_epochs; the rule is fixed in the pipeline file before the runs, and the run's replicate drops out of each claim "
            + "whose family it belongs to): bs 256, lr 0.01, replicate 9 (lowest val loss 0.6933 ≥ plateau_loss 0.68 in 800 epochs)."
        XCTAssertEqual(ReportClaims.exclusionsText(all), named)
        XCTAssertEqual(ReportClaims.exclusionsText(runs), "", "no run excluded: no line")
        let text = ReportClaims.text(results, runs: all)
        XCTAssertTrue(text.contains("Replicates per claim: ") && text.contains("  " + named + "\n"), text)
        // Without the rule (plateau_loss not set) the stuck run is an ordinary capped run: replicate 9 counts.
        XCTAssertEqual(claims(runs.filter { !($0.replicate == 9 && $0.batchSize == 256) } + [unset])[0].replicates, Array(1...10))
    }

    /// The figures' means say each batch size's n when the counts differ (F13's scaled family: bs 32 in 15).
    func testUnequalReplicatesPerBatchSizeAreNamedInTheFiguresAndMeans() {
        let values = (1...15).map { (batchSize: 32, value: Double($0)) } + (1...5).map { (batchSize: 64, value: Double($0)) }
        XCTAssertEqual(ReplicateSummary.legend(values), "mean and 95 % CI over n replicates: bs 32 n = 15, bs 64 n = 5")
        XCTAssertEqual(ReplicateSummary.rows(values).map { $0[4] }, [15, 5], "the replicates column")
        XCTAssertEqual(ReplicateSummary.legend(values.filter { $0.batchSize == 64 } + (1...5).map { (batchSize: 32, value: Double($0)) }),
                       "mean and 95 % CI over 5 replicates")
        let runs = (1...15).map { run(32, replicate: $0, minVal: 0.3 + 0.001 * Double($0)) }
            + (1...5).map { run(64, replicate: $0, minVal: 0.3 + 0.001 * Double($0)) }
        let text = ReportClaims.perBatchSize(runs) { $0.minValLoss }
        XCTAssertTrue(text.hasPrefix("bs 32 ") && text.contains("] (n = 15), bs 64 ")
                      && text.contains("] (n = 5) (mean [95 % CI] over n replicates)"), text)
    }

    func testReplicateRangesAreWrittenCompactly() {
        XCTAssertEqual(ReportClaims.ranges([1, 2, 3, 4, 5]), "1–5")
        XCTAssertEqual(ReportClaims.ranges([6, 1, 2, 4, 3, 9, 10]), "1–4, 6, 9, 10")
        XCTAssertEqual(ReportClaims.ranges([2]), "2")
    }
}
