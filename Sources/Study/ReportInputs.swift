// Reading the report stage's inputs: its objects through the stage context, nothing else (seconds come
// from the `timing` objects; the provenance is added when the page is published).
import Foundation
import Pipeline
import Store
import StudyReport

extension ReportData {
    /// Reads every input of the report stage (objects only: seconds come from the `timing` objects).
    static func load(_ context: StageContext, settings: ReportSettings) throws -> ReportData {
        let stage = context.instance
        // Data-parallel checkpoints (workers > 1) are other runs of the same configuration: not the study's runs.
        let runs = try context.inputs("runs").map { try readRun($0, stage: stage) }.filter { $0.workers == 1 }
        var data = ReportData(
            runs: runs, timings: try context.inputs("timing").map { try TimingTable.read($0, stage: stage) },
            evaluation: try context.inputs("evaluation").first.map { try TestEvaluation.read($0, stage: stage) },
            distances: try DistanceTable.read(context.input("distances"), stage: stage),
            curve: try context.inputs("curve").first.map { try readCurve($0, stage: stage) },
            crossCurve: try context.inputs("cross_curve").first.map { try readCurve($0, stage: stage) },
            sharpness: try context.inputs("sharpness").map { try readSharpness($0, stage: stage) },
            grids: try context.inputs("grids").map { try readGrid($0, stage: stage) }, settings: settings)
        // One object per replicate when critical_batch is replicated (pipelines/study-extended.yaml), one in the default.
        data.critical = try CriticalBatchTable.merged(context.inputs("critical").map { ($0, try CriticalBatchTable.read($0, stage: stage)) },
                                                      stage: stage)
        data.trajectories = try context.inputs("trajectories").map { try TrajectoryTable.read($0, stage: stage) }
        data.hessians = try context.inputs("hessians").map { try HessianResult.read($0, stage: stage) }
        data.reparametrisation = try context.inputs("reparametrisation").first.map { try ReparametrisationAuditTable.read($0, stage: stage) }
        return data
    }
}
