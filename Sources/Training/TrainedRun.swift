// A finished training run read back from its checkpoint object: the model it trained, θ_init,
// θ_min, θ_final and its (batch size, lr). What the analysis stages (distances, interpolate,
// sharpness, landscape) start from; the model comes from the file, never from stage parameters,
// so an analysis cannot pair weights with the wrong architecture.
import Foundation
import NN
import Store
import Tensor

public struct TrainedRun: Sendable {
    public var model: Model
    public var thetaInit: [Float]
    public var thetaMin: [Float]
    public var thetaFinal: [Float]
    public var batchSize: Int
    public var learningRate: Double
    /// The replicate (from 1) the run belongs to.
    public var replicate: Int
    /// The checkpoint's path (for error messages).
    public var path: String

    /// Reads a `train` checkpoint object; `stage` names the reader in errors.
    public static func load(_ url: URL, stage: String) throws -> TrainedRun {
        let file = try HDF5File.open(url.path)
        defer { try? file.close() }
        func ints(_ name: String) throws -> [Int] {
            guard case .ints(let v) = try file.attribute(name, at: "/layout") else {
                throw StudyError.badInput(stage: stage, file: url.path, detail: "attribute /layout@\(name) is not an integer list")
            }
            return v.map { Int($0) }
        }
        let input = try ints("input")
        guard input.count == 3 else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "attribute /layout@input must be (channels, height, width)")
        }
        let spec = ModelSpec(channels: input[0], height: input[1], width: input[2],
                             convWidths: try ints("conv_widths"), denseWidths: try ints("dense_widths"))
        let model: Model
        do { model = try Model(spec) } catch {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "the model it describes cannot be built: \(error)")
        }
        var thetas: [[Float]] = []
        for name in ["/theta/init", "/theta/min", "/theta/final"] {
            let theta = try file.read(name, as: Float.self).values
            guard theta.count == model.layout.count else {
                throw StudyError.badInput(stage: stage, file: url.path,
                                          detail: "\(name) has \(theta.count) values, the model \(spec) has \(model.layout.count)")
            }
            thetas.append(theta)
        }
        guard case .int(let batchSize) = try file.attribute("batch_size"),
              case .double(let lr) = try file.attribute("lr") else {
            throw StudyError.badInput(stage: stage, file: url.path, detail: "attributes batch_size (int) and lr (double) are missing")
        }
        // Replicate 1 writes no attribute (it is the unreplicated run, byte for byte).
        var replicate = 1
        if try file.attributeNames().contains("replicate") {
            guard case .int(let r) = try file.attribute("replicate"), r >= 1 else {
                throw StudyError.badInput(stage: stage, file: url.path, detail: "attribute replicate is not a whole number ≥ 1")
            }
            replicate = Int(r)
        }
        return TrainedRun(model: model, thetaInit: thetas[0], thetaMin: thetas[1], thetaFinal: thetas[2],
                          batchSize: Int(batchSize), learningRate: lr, replicate: replicate, path: url.path)
    }
}
