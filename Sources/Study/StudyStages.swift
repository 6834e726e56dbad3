// The study's stage kinds, in the order a pipeline uses them; the CLI registers them beside the engine's toy kinds.
import Pipeline

public enum StudyStages {
    public static let all: [any Stage.Type] = [
        GenerateStage.self, PreprocessStage.self, SplitStage.self, TrainStage.self,
        InterpolateStage.self,
        SharpnessStage.self,
        HessianStage.self, ReparametrisationStage.self,
        LandscapeStage.self,
        DistancesStage.self,
        ReportStage.self,
    ]
}
