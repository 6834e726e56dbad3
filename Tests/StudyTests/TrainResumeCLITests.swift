// kill -9 during `train` through the real executable: the rerun continues from the last complete
// epoch (resume file under artifacts/resume/) and stores a checkpoint bit-identical to a clean run's.
import TestSupport
import XCTest

final class TrainResumeCLITests: XCTestCase {
    let pipeline = """
        stages:
          data: {kind: generate, params: {count: 400, size: 16}}
          split: {kind: split, inputs: {data: data.images}}
          train:
            kind: train
            params: {batch_size: 8, lr: 0.02, max_epochs: 12, patience: 12, conv_widths: [4, 8], dense_widths: [16]}
            inputs: {data: data.images, split: split.split}
        """

    func testKilledTrainingResumesBitIdentically() throws {
        try KillAndResume(pipeline: pipeline, stage: "train", output: "checkpoint", resumeFile: "train-state.h5",
                          rerunSummary: "1 executed, 2 cached", resumed: "measured  resumed_after_epoch = ")
            .assertResumesBitIdentically()
    }
}
