// kill -9 during `landscape` through the real executable: the rerun continues from the saved grid
// points (resume file under artifacts/resume/) and stores a grid bit-identical to a clean run's.
import TestSupport
import XCTest

final class LandscapeResumeCLITests: XCTestCase {
    let pipeline = """
        stages:
          data: {kind: generate, params: {count: 200, size: 16}}
          split: {kind: split, inputs: {data: data.images}}
          train:
            kind: train
            params: {batch_size: 16, lr: 0.02, max_epochs: 2, conv_widths: [4, 8], dense_widths: [16]}
            inputs: {data: data.images, split: split.split}
          landscape:
            kind: landscape
            params: {batch_size: 16, lr: 0.02, x_count: 45, y_count: 40, train_subset: 120}
            inputs: {checkpoint: train.checkpoint, data: data.images, split: split.split}
        """

    func testKilledGridResumesBitIdentically() throws {
        try KillAndResume(pipeline: pipeline, stage: "landscape", output: "grid", resumeFile: "landscape-grid.h5",
                          rerunSummary: "1 executed, 3 cached", resumed: "resumed_points = [1-9]")
            .assertResumesBitIdentically()
    }
}
