// Reading the report stage's inputs: its objects through the stage context, the wall times of the
// checkpoints' producing executions through the run index.
import Foundation
import Pipeline
import Store
import StudyReport

extension ReportData {
    /// Reads every input of the report stage; timings from the index when the context has one.
    static func load(_ context: StageContext, settings: ReportSettings) throws -> ReportData {
        let stage = context.instance
        var runs: [ReportRun] = []
        for input in ["runs", "parallel"] {
            let urls = context.inputs(input), objects = context.inputObjects(input)
            for (i, url) in urls.enumerated() {
                let producer = i < objects.count ? try context.index?.producer(of: objects[i]) : nil
                runs.append(try readRun(url, timing: producer.flatMap(timing), stage: stage))
            }
        }
        var data = ReportData(
            runs: runs.filter { $0.workers == 1 }, parallelRuns: runs.filter { $0.workers > 1 },
            distances: try DistanceTable.read(context.input("distances"), stage: stage),
            curve: try context.inputs("curve").first.map { try readCurve($0, stage: stage) },
            sharpness: try context.inputs("sharpness").map { try readSharpness($0, stage: stage) },
            grids: try context.inputs("grids").map { try readGrid($0, stage: stage) }, settings: settings)
        data.critical = try context.inputs("critical").first.map { try CriticalBatchTable.read($0, stage: stage) }
        data.trajectories = try context.inputs("trajectories").map { try TrajectoryTable.read($0, stage: stage) }
        data.hessians = try context.inputs("hessians").map { try HessianResult.read($0, stage: stage) }
        return data
    }

    static func timing(_ producer: ProducerExecution) -> RunTiming? {
        let m = producer.measurements
        guard let perEpoch = m["seconds_per_epoch"], let total = m["seconds_total"], let id = producer.execution.id else { return nil }
        var epochs: [Double] = []
        while let s = m["epoch_seconds[\(epochs.count + 1)]"] { epochs.append(s) }
        return RunTiming(secondsPerEpoch: perEpoch, secondsTotal: total, secondsToMin: m["seconds_to_min"] ?? .nan,
                         epochSeconds: epochs, run: producer.execution.runId, execution: id)
    }
}
