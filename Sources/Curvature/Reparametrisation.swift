// Dinh et al. 2017's reparametrisation: multiply layer j's weights and bias by α > 0 and layer
// j+1's weights by 1/α. ReLU and 2×2 max-pooling are positively homogeneous (relu(αz) = α·relu(z),
// max(αa, αb) = α·max(a, b)), so layer j+1 sees the same input times α, divided back by its
// weights: the network computes the same function for EVERY θ, and the map is linear. With α a
// power of two, every product is exact in floating point and the outputs are bit-identical.
import NN

public enum Reparametrisation {
    /// Layers in layout order (conv blocks, then dense layers, the output last): weight and bias
    /// slices 2j and 2j + 1.
    public static func layerCount(_ layout: ParameterLayout) -> Int { layout.slices.count / 2 }

    /// The layer names (the weight slice's name without ".weight").
    public static func layerName(_ layout: ParameterLayout, _ j: Int) -> String {
        String(layout.slices[2 * j].name.dropLast(".weight".count))
    }

    /// θ with layer j's weights and bias scaled by α and layer j+1's weights by 1/α.
    public static func rescale(_ theta: [Float], layout: ParameterLayout, layer j: Int, alpha: Float) -> [Float] {
        precondition(j >= 0 && j + 1 < layerCount(layout), "Reparametrisation: layer \(j) has no next layer")
        precondition(alpha > 0 && theta.count == layout.count, "Reparametrisation: α must be positive, θ the layout's size")
        var out = theta
        for i in layout.slices[2 * j].range { out[i] *= alpha }
        for i in layout.slices[2 * j + 1].range { out[i] *= alpha }
        for i in layout.slices[2 * (j + 1)].range { out[i] /= alpha }
        return out
    }
}
