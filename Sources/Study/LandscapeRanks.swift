// The landscape grid over MPI ranks (`workers: N > 1`): every rank builds the same job (run,
// data subset, directions), takes a contiguous block of the pending points (RankSlice over the
// point numbers), and rank 0 gathers the blocks and writes the grid object. A point's value does
// not depend on which rank computed it, so the object is byte-identical to the 1-rank grid.
//
// Resume: each rank saves its points to <resumeDirectory>/rank-R/ every `saveInterval` seconds;
// a restarted grid (any rank count) merges every rank-* file before splitting what is left.
import Distributed
import Foundation
import Landscape
import Pipeline
import Tensor
import Training

extension LandscapeStage {
    /// The body of one rank.
    static func runRank(_ context: StageContext, _ communicator: Communicator) throws {
        let job = try LandscapeJob(context)
        let start = Date()
        let total = job.axes.pointCount
        var results = try loadRankResumeFiles(job, in: context.resumeDirectory)
        let resumed = results.completed
        let pending = results.pending
        let mine = Array(pending[RankSlice.block(count: pending.count, rank: communicator.rank, size: communicator.size)])
        let ownFolder = context.resumeDirectory?.appendingPathComponent("rank-\(communicator.rank)", isDirectory: true)
        if !mine.isEmpty {
            let evaluator = GridEvaluator(model: job.run.model, theta: job.run.thetaMin, dx: job.dx, dy: job.dy,
                                          data: job.data, threads: context.threads)
            var lastSave = start
            var computed = 0
            try evaluator.compute(mine, axes: job.axes, into: &results) { _, results in
                computed += 1
                let now = Date()
                // Rank 0 speaks for all: the ranks' blocks differ by at most one point.
                let size = communicator.size, rate = Double(computed) / max(now.timeIntervalSince(start), 1e-9)
                context.progress(String(format: "point ~%d/%d %.1f points/s (%d ranks)", min(total, resumed + computed * size),
                                        total, rate * Double(size), size))
                if let ownFolder, now.timeIntervalSince(lastSave) >= saveInterval || computed == mine.count {
                    try GridResume.save(results, fingerprint: job.fingerprint, in: ownFolder)
                    lastSave = now
                }
            }
        }
        guard let parts = try communicator.gather(gatherable(results)) else { return }  // ranks > 0 are done
        for part in parts { results.merge(try ungather(part, pointCount: total)) }
        guard results.completed == total else {
            throw StudyError.badResumeState(path: context.resumeDirectory?.path ?? "-",
                                            detail: "the ranks returned \(results.completed) of \(total) points")
        }
        try LandscapeFile.write(job, results, to: context.output("grid").path)
        let seconds = Date().timeIntervalSince(start)
        report(job, results, context: context)
        context.measure("seconds_total", seconds)
        context.measure("resumed_points", Double(resumed))
        context.measure("points_per_second", Double(total - resumed) / max(seconds, 1e-9))
        context.measure("network_threads", Double(context.threads))
        context.measure("workers", Double(communicator.size))
        context.measure("blas_kernel=" + NumericEnvironment.blasInfo().kernels, 1)
        if let dir = context.resumeDirectory { GridResume.remove(in: dir) }
    }

    /// Every point saved by any rank of an earlier attempt (the folder is private to the cache key).
    static func loadRankResumeFiles(_ job: LandscapeJob, in directory: URL?) throws -> GridResults {
        var results = GridResults(pointCount: job.axes.pointCount)
        guard let directory else { return results }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names.sorted() where name.hasPrefix("rank-") {
            let folder = directory.appendingPathComponent(name, isDirectory: true)
            if let saved = try GridResume.load(in: folder, fingerprint: job.fingerprint, pointCount: job.axes.pointCount) {
                results.merge(saved)
            }
        }
        return results
    }

    /// A rank's results as one Double vector for MPI: loss (N), accuracy (N), done as 0/1 (N).
    static func gatherable(_ results: GridResults) -> [Double] {
        results.loss + results.accuracy + results.done.map { $0 ? 1 : 0 }
    }

    static func ungather(_ values: [Double], pointCount n: Int) throws -> GridResults {
        guard values.count == 3 * n else {
            throw DistributedError.badJob(path: "gathered grid", detail: "a rank sent \(values.count) values for \(n) points")
        }
        var results = GridResults(pointCount: n)
        results.loss = Array(values[0..<n])
        results.accuracy = Array(values[n..<(2 * n)])
        results.done = values[(2 * n)...].map { $0 != 0 }
        return results
    }
}
