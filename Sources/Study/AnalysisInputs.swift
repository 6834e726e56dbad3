// Checks shared by the analysis stages (interpolate, sharpness) before they touch any weights:
// the checkpoint's model must read the data's images, and two compared runs must share a model.
import Foundation
import NN
import Training

extension TrainedRun {
    /// Throws unless the model's input (C, H, W) is the image set's (N, C, H, W) without N.
    func requireFits(imageShape shape: [Int], dataPath: String, stage: String) throws {
        let spec = model.spec
        guard shape.count == 4, shape[1] == spec.channels, shape[2] == spec.height, shape[3] == spec.width else {
            throw StudyError.badInput(stage: stage, file: dataPath,
                                      detail: "its images are \(shape.dropFirst().map(String.init).joined(separator: "×")) but the "
                                          + "checkpoint \(path) was trained on \(spec.channels)×\(spec.height)×\(spec.width); "
                                          + "give the data and split the run was trained on")
        }
    }

    /// Throws unless `other` was trained with the same model (architecture and input size).
    func requireSameModel(as other: TrainedRun, stage: String) throws {
        guard model == other.model else {
            throw StudyError.badInput(stage: stage, file: other.path,
                                      detail: "its model \(other.model.spec) differs from \(model.spec) of \(path); "
                                          + "compare two runs of the same architecture (same conv_widths, dense_widths, image size)")
        }
    }
}

extension TrainedRun {
    /// The learning rate as the pipeline file wrote it: training runs in Float, so the checkpoint
    /// holds Double(Float(0.01)) = 0.0099999998; the shortest decimal of that Float is 0.01.
    var learningRateAsWritten: Double { Double(String(describing: Float(learningRate))) ?? learningRate }
}
