// The study's stage kinds, in the order a pipeline uses them, and what a run publishes: the report.
import Pipeline

public enum StudyStages {
    public static let all: [any Stage.Type] = [
        GenerateStage.self, PreprocessStage.self, SplitStage.self, TrainStage.self, TimingStage.self, EvaluateStage.self,
        InterpolateStage.self,
        SharpnessStage.self,
        HessianStage.self, ReparametrisationStage.self,
        LandscapeStage.self,
        DistancesStage.self,
        CriticalBatchStage.self, TrajectoryStage.self,
        ReportStage.self,
    ]

    /// Registers every study kind, and the report's page as what a run publishes
    /// (`artifacts/report/<pipeline name>/index.html`, with the run's provenance added to the copy).
    public static func register(into registry: inout StageRegistry) {
        for kind in all { registry.register(kind) }
        registry.publishOutputs(of: ReportStage.self, entry: "index.html", annotate: ReportPublishing.addProvenance)
    }
}
