// Exact Hessian-vector products of the network's summed BCE loss by Pearlmutter's R-operator
// (forward-over-backward): one forward pass carries the tangent ẋ = ∂x/∂θ·v beside every
// activation, one backward pass carries δ̇ = R{δ} beside every gradient, and R{∇f} = Hv comes out
// where the gradient would. ReLU masks and max-pool choices are those of θ (ReLU'' = 0 almost
// everywhere), which is what autograd's double backward computes, so it matches
// torch.autograd.functional.hvp (CurvatureTests). Why not finite differences of gradients: on a
// ReLU network a difference across an activation switch sees a jump, and the tiny fixture's
// measured error grows like 1/h instead of falling (docs/analyses.md, "Curvature").
//
// Per layer, with V the direction's slice of a weight W and V_b of a bias:
//   forward   ċ = W ⊛ ẋ + V ⊛ x (+ V_b), then the same ReLU mask and pooling choice as c
//   backward  R{g_W} = δ̇ ⊗ x + δ ⊗ ẋ,  R{g_b} = Σ δ̇,  δ̇_in = Wᵀ δ̇ + Vᵀ δ (masked like δ_in)
//   loss      δ = σ(z) − y,  δ̇ = σ(z)(1 − σ(z)) ż
// Parallelism and determinism as in NN.Network: fixed 8-image chunks, per-chunk conv sums added in
// chunk order, dense layers on the calling thread; same bits with any thread count.
import NN
import Tensor

public final class ExactHVP: @unchecked Sendable {
    public let model: Model
    public let maxBatch: Int
    public let threads: Int
    public let convEngine: ConvEngine
    private let blocks: [ConvBlockShape]
    private let dense: [(inputs: Int, outputs: Int)]
    private let weightOffset: [Int], biasOffset: [Int]   // per layer: conv blocks, then dense layers
    private let pooled: [FloatBuffer], pooledDot: [FloatBuffer]  // block b: (N, K_b, H_b/2, W_b/2)
    private let argmax: [AlignedBuffer<UInt8>]                   // block b: (N, K_b, H_b/2, W_b/2)
    private let act: [FloatBuffer], actDot: [FloatBuffer]        // dense j: (N, out_j); the last holds z, ż
    private let delta: [FloatBuffer], deltaDot: [FloatBuffer]    // (N, max dense width) ping-pong pairs
    private let dFeatures: FloatBuffer, dFeaturesDot: FloatBuffer  // (N, F)
    private let workers: [HVPWorkerSpace]
    private let chunkSums: FloatBuffer                             // (maxChunks, convCount)

    public init(model: Model, maxBatch: Int, threads: Int = 1, convEngine: ConvEngine = .preferred) {
        precondition(maxBatch >= 1 && threads >= 1 && convEngine.isAvailable, "ExactHVP: maxBatch, threads or engine")
        self.model = model
        self.maxBatch = maxBatch
        self.threads = threads
        self.convEngine = convEngine
        blocks = model.spec.convBlocks
        dense = model.spec.denseShapes
        weightOffset = stride(from: 0, to: model.layout.slices.count, by: 2).map { model.layout.slices[$0].offset }
        biasOffset = stride(from: 1, to: model.layout.slices.count, by: 2).map { model.layout.slices[$0].offset }
        pooled = blocks.map { FloatBuffer(count: maxBatch * $0.pooledSize) }
        pooledDot = blocks.map { FloatBuffer(count: maxBatch * $0.pooledSize) }
        argmax = blocks.map { AlignedBuffer<UInt8>(count: maxBatch * $0.pooledSize) }
        act = dense.map { FloatBuffer(count: maxBatch * $0.outputs) }
        actDot = dense.map { FloatBuffer(count: maxBatch * $0.outputs) }
        let widest = dense.map(\.outputs).max()!
        delta = (0..<2).map { _ in FloatBuffer(count: maxBatch * widest) }
        deltaDot = (0..<2).map { _ in FloatBuffer(count: maxBatch * widest) }
        dFeatures = FloatBuffer(count: maxBatch * model.spec.flattenedFeatures)
        dFeaturesDot = FloatBuffer(count: maxBatch * model.spec.flattenedFeatures)
        workers = (0..<threads).map { _ in HVPWorkerSpace(blocks: model.spec.convBlocks, convCount: model.layout.convCount) }
        chunkSums = FloatBuffer(count: ChunkPartition(count: maxBatch, chunkSize: Network.chunkSize).chunkCount * model.layout.convCount)
    }

    /// H·v of the SUM of per-example losses over one batch, written to `hv` (OVERWRITTEN); returns the loss sum.
    /// parameters, direction, hv: (P) · images: (N, C, H, W) · labels: (N) of 0/1.
    public func sumHVP(parameters: UnsafeBufferPointer<Float>, direction: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                       labels: UnsafeBufferPointer<Float>, hv: UnsafeMutableBufferPointer<Float>) -> Double {
        let n = labels.count, p = model.layout.count
        precondition(parameters.count == p && direction.count == p && hv.count == p, "ExactHVP: parameter-sized buffers")
        precondition(n >= 1 && n <= maxBatch && images.count == n * model.spec.inputSize, "ExactHVP: batch of \(n)")
        let theta = parameters.baseAddress!, v = direction.baseAddress!, out = hv.baseAddress!
        forwardConv(theta, v, images.baseAddress!, n)
        forwardDense(theta, v, n)
        let z = act.last!.pointer, zDot = actDot.last!.pointer, y = labels.baseAddress!
        var lossSum = 0.0
        for i in 0..<n {
            let s = BCEWithLogits.sigmoid(z[i])
            lossSum += BCEWithLogits.loss(logit: z[i], label: y[i])
            delta[0].pointer[i] = s - y[i]
            deltaDot[0].pointer[i] = s * (1 - s) * zDot[i]
        }
        let convCount = model.layout.convCount
        (out + convCount).update(repeating: 0, count: p - convCount)
        backwardDense(theta, v, out, n)
        backwardConv(theta, v, images.baseAddress!, out, n)
        return lossSum
    }

    // MARK: - Forward with tangents

    private func forwardConv(_ theta: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ images: UnsafePointer<Float>, _ n: Int) {
        let part = ChunkPartition(count: n, chunkSize: Network.chunkSize)
        Parallel.forEachChunk(part.chunkCount, threads: threads) { chunk, worker in
            let ws = workers[worker]
            for i in part.range(ofChunk: chunk) {
                var x = images + i * model.spec.inputSize
                var xDot: UnsafePointer<Float>? = nil  // the image does not depend on θ
                for (b, s) in blocks.enumerated() {
                    Conv3x3.forward(x, weights: theta + weightOffset[b], shape: s, col: ws.col.pointer, out: ws.conv.pointer, engine: convEngine)
                    Conv3x3.forward(x, weights: v + weightOffset[b], shape: s, col: ws.col.pointer, out: ws.convDot.pointer, engine: convEngine)
                    if let xDot {
                        Conv3x3.forward(xDot, weights: theta + weightOffset[b], shape: s, col: ws.col.pointer, out: ws.spare.pointer,
                                        engine: convEngine)
                        for e in 0..<s.convSize { ws.convDot.pointer[e] += ws.spare.pointer[e] }
                    }
                    let o = i * s.pooledSize
                    BiasReluPool.forward(ws.conv.pointer, bias: theta + biasOffset[b], channels: s.outChannels, height: s.height,
                                         width: s.width, pooled: pooled[b].pointer + o, argmax: argmax[b].pointer + o, engine: convEngine)
                    Self.poolTangent(ws.convDot.pointer, biasDot: v + biasOffset[b], pooled: pooled[b].pointer + o,
                                     argmax: argmax[b].pointer + o, shape: s, out: pooledDot[b].pointer + o)
                    x = UnsafePointer(pooled[b].pointer + o)
                    xDot = UnsafePointer(pooledDot[b].pointer + o)
                }
            }
        }
    }

    /// ṗ = (ċ + V_b) at the pooled position where the output is active, else 0.
    /// convDot: (K, H, W) · biasDot: (K) · pooled, argmax, out: (K, H/2, W/2).
    static func poolTangent(_ convDot: UnsafePointer<Float>, biasDot: UnsafePointer<Float>, pooled: UnsafePointer<Float>,
                            argmax: UnsafePointer<UInt8>, shape s: ConvBlockShape, out: UnsafeMutablePointer<Float>) {
        let ho = s.height / 2, wo = s.width / 2
        for k in 0..<s.outChannels {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    let p = (k * ho + oy) * wo + ox
                    let j = Int(argmax[p])  // 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right
                    out[p] = pooled[p] > 0 ? convDot[(k * s.height + 2 * oy + j / 2) * s.width + 2 * ox + j % 2] + biasDot[k] : 0
                }
            }
        }
    }

    private func forwardDense(_ theta: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ n: Int) {
        var x = UnsafePointer(pooled.last!.pointer), xDot = UnsafePointer(pooledDot.last!.pointer)
        let layers = blocks.count
        for (j, d) in dense.enumerated() {
            let w = theta + weightOffset[layers + j], vw = v + weightOffset[layers + j]
            let y = act[j].pointer, yDot = actDot[j].pointer
            let hidden = j < dense.count - 1
            Dense.forward(x, weights: w, bias: theta + biasOffset[layers + j], batch: n, inputs: d.inputs, outputs: d.outputs,
                          relu: hidden, y: y)
            // ẏ = x·Vᵀ + V_b + ẋ·Wᵀ, then y's mask
            Dense.forward(x, weights: vw, bias: v + biasOffset[layers + j], batch: n, inputs: d.inputs, outputs: d.outputs,
                          relu: false, y: yDot)
            GEMM.sgemm(transB: true, m: n, n: d.outputs, k: d.inputs, a: xDot, lda: d.inputs, b: w, ldb: d.inputs, beta: 1,
                       c: yDot, ldc: d.outputs)
            if hidden { Dense.reluBackward(y: y, dY: yDot, count: n * d.outputs) }
            x = UnsafePointer(y)
            xDot = UnsafePointer(yDot)
        }
    }

    // MARK: - Backward with tangents

    /// Expects δ, δ̇ of the logits in delta[0], deltaDot[0]; leaves dFeatures, dFeaturesDot (N, F) filled.
    private func backwardDense(_ theta: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ hv: UnsafeMutablePointer<Float>, _ n: Int) {
        var current = 0
        let layers = blocks.count
        for j in dense.indices.reversed() {
            let d = dense[j]
            let dY = delta[current].pointer, dYDot = deltaDot[current].pointer
            if j < dense.count - 1 {  // the same mask for δ and δ̇
                Dense.reluBackward(y: act[j].pointer, dY: dY, count: n * d.outputs)
                Dense.reluBackward(y: act[j].pointer, dY: dYDot, count: n * d.outputs)
            }
            let x = j == 0 ? UnsafePointer(pooled.last!.pointer) : UnsafePointer(act[j - 1].pointer)
            let xDot = j == 0 ? UnsafePointer(pooledDot.last!.pointer) : UnsafePointer(actDot[j - 1].pointer)
            let w = theta + weightOffset[layers + j], vw = v + weightOffset[layers + j]
            let hvW = hv + weightOffset[layers + j], hvB = hv + biasOffset[layers + j]
            // R{g_W} = δ̇ᵀ·x + δᵀ·ẋ · R{g_b} = Σ_n δ̇
            GEMM.sgemm(transA: true, m: d.outputs, n: d.inputs, k: n, a: dYDot, lda: d.outputs, b: x, ldb: d.inputs, beta: 1,
                       c: hvW, ldc: d.inputs)
            GEMM.sgemm(transA: true, m: d.outputs, n: d.inputs, k: n, a: dY, lda: d.outputs, b: xDot, ldb: d.inputs, beta: 1,
                       c: hvW, ldc: d.inputs)
            for i in 0..<n { for o in 0..<d.outputs { hvB[o] += dYDot[i * d.outputs + o] } }
            // δ_in = δ·W · δ̇_in = δ̇·W + δ·V
            let dX = j == 0 ? dFeatures.pointer : delta[1 - current].pointer
            let dXDot = j == 0 ? dFeaturesDot.pointer : deltaDot[1 - current].pointer
            GEMM.sgemm(m: n, n: d.inputs, k: d.outputs, a: dY, lda: d.outputs, b: w, ldb: d.inputs, beta: 0, c: dX, ldc: d.inputs)
            GEMM.sgemm(m: n, n: d.inputs, k: d.outputs, a: dYDot, lda: d.outputs, b: w, ldb: d.inputs, beta: 0, c: dXDot, ldc: d.inputs)
            GEMM.sgemm(m: n, n: d.inputs, k: d.outputs, a: dY, lda: d.outputs, b: vw, ldb: d.inputs, beta: 1, c: dXDot, ldc: d.inputs)
            current = 1 - current
        }
    }

    private func backwardConv(_ theta: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ images: UnsafePointer<Float>,
                              _ hv: UnsafeMutablePointer<Float>, _ n: Int) {
        let part = ChunkPartition(count: n, chunkSize: Network.chunkSize)
        let convCount = model.layout.convCount, features = model.spec.flattenedFeatures
        Parallel.forEachChunk(part.chunkCount, threads: threads) { chunk, worker in
            let ws = workers[worker]
            let slot = chunkSums.pointer + chunk * convCount
            slot.update(repeating: 0, count: convCount)
            ws.dWT.pointer.update(repeating: 0, count: convCount)
            ws.weightScratch.pointer.update(repeating: 0, count: convCount)
            for i in part.range(ofChunk: chunk) {
                var dP = UnsafePointer(dFeatures.pointer + i * features), dPDot = UnsafePointer(dFeaturesDot.pointer + i * features)
                for b in blocks.indices.reversed() {
                    let s = blocks[b], o = i * s.pooledSize
                    ws.biasScratch.pointer.update(repeating: 0, count: s.outChannels)
                    BiasReluPool.backward(dPooled: dP, pooled: pooled[b].pointer + o, argmax: argmax[b].pointer + o, channels: s.outChannels,
                                          height: s.height, width: s.width, dConv: ws.dConv.pointer, dBias: ws.biasScratch.pointer,
                                          engine: convEngine)
                    BiasReluPool.backward(dPooled: dPDot, pooled: pooled[b].pointer + o, argmax: argmax[b].pointer + o,
                                          channels: s.outChannels, height: s.height, width: s.width, dConv: ws.dConvDot.pointer,
                                          dBias: slot + biasOffset[b], engine: convEngine)
                    let w = theta + weightOffset[b], dWT = ws.dWT.pointer + weightOffset[b]
                    let input = b == 0 ? images + i * model.spec.inputSize : UnsafePointer(pooled[b - 1].pointer + i * blocks[b - 1].pooledSize)
                    // R{g_W} += x ⊗ δ̇ (and Wᵀ δ̇ into dInDot)
                    Conv3x3.backward(input, weights: w, dOut: ws.dConvDot.pointer, shape: s, col: ws.col.pointer, dCol: ws.dCol.pointer,
                                     dWT: dWT, dX: b == 0 ? nil : ws.dInDot.pointer, engine: convEngine)
                    guard b > 0 else { continue }
                    let inputDot = UnsafePointer(pooledDot[b - 1].pointer + i * blocks[b - 1].pooledSize)
                    // R{g_W} += ẋ ⊗ δ (and Vᵀ δ into spareIn)
                    Conv3x3.backward(inputDot, weights: v + weightOffset[b], dOut: ws.dConv.pointer, shape: s, col: ws.col.pointer,
                                     dCol: ws.dCol.pointer, dWT: dWT, dX: ws.spareIn.pointer, engine: convEngine)
                    // δ_in = Wᵀ δ (its weight product goes to a scratch that is never read)
                    Conv3x3.backward(input, weights: w, dOut: ws.dConv.pointer, shape: s, col: ws.col.pointer, dCol: ws.dCol.pointer,
                                     dWT: ws.weightScratch.pointer, dX: ws.dIn.pointer, engine: convEngine)
                    for e in 0..<s.inputSize { ws.dInDot.pointer[e] += ws.spareIn.pointer[e] }
                    dP = UnsafePointer(ws.dIn.pointer)
                    dPDot = UnsafePointer(ws.dInDot.pointer)
                }
            }
            for (b, s) in blocks.enumerated() {
                Conv3x3.addTransposed(ws.dWT.pointer + weightOffset[b], shape: s, into: slot + weightOffset[b], engine: convEngine)
            }
        }
        hv.update(from: chunkSums.pointer, count: convCount)
        for c in 1..<max(1, part.chunkCount) {
            let slot = chunkSums.pointer + c * convCount
            for j in 0..<convCount { hv[j] += slot[j] }
        }
    }
}

/// One worker's scratch for one image's conv blocks (sized for the largest block).
final class HVPWorkerSpace: @unchecked Sendable {
    let col: FloatBuffer, dCol: FloatBuffer                  // (C·9, H·W); dCol (max(C·9, K), H·W)
    let conv: FloatBuffer, convDot: FloatBuffer, spare: FloatBuffer, dConv: FloatBuffer, dConvDot: FloatBuffer  // (K, H·W)
    let dIn: FloatBuffer, dInDot: FloatBuffer, spareIn: FloatBuffer  // (C, H, W) of block inputs
    let dWT: FloatBuffer, weightScratch: FloatBuffer         // transposed conv weight sums at the layout's offsets
    let biasScratch: FloatBuffer                             // (max K)

    init(blocks: [ConvBlockShape], convCount: Int) {
        let colSize = blocks.map(\.colSize).max()!, convSize = blocks.map(\.convSize).max()!
        let inSize = blocks.dropFirst().map(\.inputSize).max() ?? 1
        col = FloatBuffer(count: colSize); dCol = FloatBuffer(count: max(colSize, convSize))
        conv = FloatBuffer(count: convSize); convDot = FloatBuffer(count: convSize); spare = FloatBuffer(count: convSize)
        dConv = FloatBuffer(count: convSize); dConvDot = FloatBuffer(count: convSize)
        dIn = FloatBuffer(count: inSize); dInDot = FloatBuffer(count: inSize); spareIn = FloatBuffer(count: inSize)
        dWT = FloatBuffer(count: convCount); weightScratch = FloatBuffer(count: convCount)
        biasScratch = FloatBuffer(count: blocks.map(\.outChannels).max()!)
    }
}
