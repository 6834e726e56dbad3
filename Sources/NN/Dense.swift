// Fully connected layers over a whole batch (one GEMM each way), with optional ReLU.
// Backward ACCUMULATES (+=) parameter gradients and OVERWRITES input gradients.
import Tensor

public enum Dense {
    /// y = x · wᵀ + b, then ReLU in place when `relu`.
    /// x: (N, in) · w: (out, in) · b: (out) · y: (N, out), overwritten.
    @inline(__always)
    public static func forward(_ x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                               batch n: Int, inputs: Int, outputs: Int, relu: Bool, y: UnsafeMutablePointer<Float>) {
        for i in 0..<n { (y + i * outputs).update(from: b, count: outputs) }
        GEMM.sgemm(transB: true, m: n, n: outputs, k: inputs, a: x, lda: inputs, b: w, ldb: inputs, beta: 1, c: y, ldc: outputs)
        if relu {
            for i in 0..<(n * outputs) { y[i] = max(y[i], 0) }
        }
    }

    /// dY ← dY ⊙ [y > 0]: the ReLU's backward on the layer's own (post-ReLU) output. y, dY: (N, out).
    @inline(__always)
    public static func reluBackward(y: UnsafePointer<Float>, dY: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count where !(y[i] > 0) { dY[i] = 0 }
    }

    /// Gradients of y = x · wᵀ + b given dY (already through the ReLU): `parameterGradients` then
    /// `inputGradient`, which read the same buffers and write disjoint ones (Network runs them on two workers).
    /// x: (N, in) · w: (out, in) · dY: (N, out) · dW: (out, in), += · dB: (out), += · dX: (N, in), overwritten (nil: skip).
    @inline(__always)
    public static func backward(_ x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, dY: UnsafePointer<Float>,
                                batch n: Int, inputs: Int, outputs: Int,
                                dW: UnsafeMutablePointer<Float>, dB: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>?) {
        parameterGradients(x, dY: dY, batch: n, inputs: inputs, outputs: outputs, dW: dW, dB: dB)
        if let dX { inputGradient(weights: w, dY: dY, batch: n, inputs: inputs, outputs: outputs, dX: dX) }
    }

    /// dW += dYᵀ · x and dB += Σ_i dY_i (rows in order).
    /// x: (N, in) · dY: (N, out) · dW: (out, in), += · dB: (out), +=.
    @inline(__always)
    public static func parameterGradients(_ x: UnsafePointer<Float>, dY: UnsafePointer<Float>, batch n: Int, inputs: Int, outputs: Int,
                                          dW: UnsafeMutablePointer<Float>, dB: UnsafeMutablePointer<Float>) {
        GEMM.sgemm(transA: true, m: outputs, n: inputs, k: n, a: dY, lda: outputs, b: x, ldb: inputs, beta: 1, c: dW, ldc: inputs)
        for i in 0..<n {
            let row = dY + i * outputs
            for o in 0..<outputs { dB[o] += row[o] }
        }
    }

    /// dX = dY · w. w: (out, in) · dY: (N, out) · dX: (N, in), overwritten.
    @inline(__always)
    public static func inputGradient(weights w: UnsafePointer<Float>, dY: UnsafePointer<Float>, batch n: Int, inputs: Int, outputs: Int,
                                     dX: UnsafeMutablePointer<Float>) {
        GEMM.sgemm(m: n, n: inputs, k: outputs, a: dY, lda: outputs, b: w, ldb: inputs, beta: 0, c: dX, ldc: inputs)
    }
}
