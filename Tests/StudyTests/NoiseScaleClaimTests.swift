// Claim 8 ("B_simple grows as the loss falls") on synthetic series shaped like the study's runs: a
// plateau at ln 2 where B_simple is in the hundreds and every other window has |G|² ≤ 0, a transition
// where it drops, then growth as the loss falls. The plateau rule must find the exit the loss defines,
// leave out the windows before it and those without a ratio, and decide over replicates.
import Statistics
@testable import StudyReport
import Training
import XCTest

final class NoiseScaleClaimTests: XCTestCase {
    /// 110 epochs: loss 0.69 for epochs 1–30, then −0.005 per epoch to 0.29 at epoch 110. B_simple: 400
    /// on the plateau (windows 2, 4, 6 with |G|² < 0), 200 → 20 over epochs 31–50, then
    /// 10·2^(−slope·(loss − 0.575)) with `slope` per unit of loss, times a wobble of ±`wobble` (log2).
    private func run(_ bs: Int, replicate: Int = 1, slope: Double = 10, wobble: Double = 0.1) -> ReportRun {
        let loss = (1...110).map { e in e <= 30 ? 0.69 : 0.69 - 0.005 * Double(e - 30) }
        let noise = (1...110).map { e -> NoiseScaleEpoch in
            let b: Double
            if e <= 30 {
                let window = (e - 1) / 5 + 1
                return NoiseScaleEpoch(gradientSquared: window % 2 == 0 ? -0.01 : 0.01, trace: 4, batches: 1)
            } else if e <= 50 {
                b = 200 * pow(0.1, Double(e - 31) / 19)
            } else {
                let wiggle = wobble * sin(Double(e * bs + 7 * replicate))
                b = 10 * pow(2, -slope * (loss[e - 1] - 0.575) + wiggle)
            }
            return NoiseScaleEpoch(gradientSquared: 0.05, trace: 0.05 * b, batches: 1)
        }
        var r = ReportRun(batchSize: bs, learningRate: 0.01, workers: 1, trainLoss: loss, valLoss: loss.map { $0 + 0.02 },
                          valAccuracy: loss.map { _ in 0.8 }, epochMin: 110, maxEpochs: 800, stopped: "patience")
        r.replicate = replicate
        r.noise = noise
        return r
    }

    func testThePlateauEndsWhereTheLossHasCoveredAQuarterOfItsFall() throws {
        // Windows' losses 0.69 (first) … 0.30 (lowest): the threshold is 0.69 − 0.25·0.39 = 0.5925;
        // window 10 (epochs 51–55, mean 0.575) is the first at or below it, window 9 (0.600) is not.
        let r = run(32)
        let losses = NoiseScaleTrend.windowLosses(r.trainLoss)
        XCTAssertEqual(losses.count, 22)
        XCTAssertEqual(NoiseScaleTrend.exitWindow(losses), 10)
        let s = try XCTUnwrap(NoiseScaleTrend.segment(r))
        XCTAssertEqual(s.firstEpoch, 51)
        XCTAssertEqual(s.plateauLoss, 0.69, accuracy: 1e-12)
        XCTAssertEqual(s.exitLoss, 0.575, accuracy: 1e-12)
        XCTAssertEqual(s.windows.map { Int($0.epoch) }, Array(stride(from: 55, through: 110, by: 5)), "windows 10–21, none before")
        XCTAssertEqual(try XCTUnwrap(s.slope), -10, accuracy: 0.5, "log2 B_simple falls 10 per unit of loss: grows as the loss falls")
        // The premise: over the whole run (3 plateau windows with a ratio at 400, the transition) the sign flips.
        let all = BeyondFigures.noiseWindows(r)
        XCTAssertEqual(all.filter { $0.epoch <= 30 }.count, 3, "plateau windows with |G|² ≤ 0 have no ratio")
        XCTAssertGreaterThan(try XCTUnwrap(NoiseScaleTrend.slope(all)), 0, "the whole run's slope has the wrong sign")
        XCTAssertEqual(ReportCatalogue.plateauExits([r]), "bs 32 from epoch 51 (loss 0.575)", "F18's caption says where claim 8 starts")
    }

    func testALossThatNeverFallsHasNoSegment() {
        XCTAssertNil(NoiseScaleTrend.exitWindow([0.69, 0.69, 0.69]))
        XCTAssertNil(NoiseScaleTrend.exitWindow([]))
        XCTAssertEqual(NoiseScaleTrend.exitWindow([0.69, 0.6, 0.7, 0.5, 0.29]), 3, "0.6 is above 0.69 − 0.1 = 0.59")
        var flat = run(32)
        flat.trainLoss = flat.trainLoss.map { _ in 0.693 }
        XCTAssertNil(NoiseScaleTrend.segment(flat))
        let claim = ReportClaims.noiseScaleGrows([flat])
        XCTAssertEqual(claim.verdict, .notMeasured)
        XCTAssertTrue(claim.evidence.contains("after its plateau"), claim.evidence)
    }

    func testTooFewWindowsAfterThePlateauGiveNoSlope() throws {
        // Stop the run at epoch 45: the lowest window is 0.625 (epochs 41–45), the threshold 0.674, so
        // windows 7 and 8 (epochs 36–45) follow the plateau: two, one short of a slope.
        var r = run(64)
        r.trainLoss = Array(r.trainLoss.prefix(45))
        r.noise = Array(r.noise.prefix(45))
        let s = try XCTUnwrap(NoiseScaleTrend.segment(r))
        XCTAssertEqual(s.firstEpoch, 36)
        XCTAssertEqual(s.windows.count, 2)
        XCTAssertNil(s.slope)
    }

    func testTheClaimIsDecidedOverReplicatesAfterThePlateau() throws {
        let sizes = [32, 64, 128, 256]
        let grows = (1...5).flatMap { rep in sizes.map { run($0, replicate: rep, slope: 8 + Double(rep) / 2) } }
        let held = ReportClaims.noiseScaleGrows(grows)
        XCTAssertEqual(held.verdict, .holds, held.evidence)
        let effect = try XCTUnwrap(held.effect)
        XCTAssertEqual(effect.count, 5, "one family mean per replicate")
        XCTAssertEqual(effect.estimate, -9.5, accuracy: 0.6)
        XCTAssertTrue(held.evidence.contains("from epoch 51"), held.evidence)
        XCTAssertTrue(held.evidence.contains("a quarter of the way"), "the report states the rule: \(held.evidence)")
        XCTAssertTrue(held.evidence.contains("plateau included: bs 32 +"), "the whole run's slope is shown beside: \(held.evidence)")

        let falls = (1...5).flatMap { rep in sizes.map { run($0, replicate: rep, slope: -8 - Double(rep) / 2) } }
        XCTAssertEqual(ReportClaims.noiseScaleGrows(falls).verdict, .contradicted)

        // Replicates disagreeing in sign: the interval contains 0.
        let mixed = (1...4).flatMap { rep in sizes.map { run($0, replicate: rep, slope: rep % 2 == 0 ? 6 : -6) } }
        XCTAssertEqual(ReportClaims.noiseScaleGrows(mixed).verdict, .inconclusive)

        let one = ReportClaims.noiseScaleGrows(sizes.map { run($0) })
        XCTAssertEqual(one.verdict, .inconclusive)
        XCTAssertTrue(one.evidence.hasPrefix("one replicate only"), one.evidence)
    }
}
