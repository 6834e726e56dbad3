// Runs a Model on batches: forward, backward and evaluation over preallocated workspaces.
//
// Parallelism and determinism: OpenBLAS is kept single-threaded; the batch is cut into fixed chunks
// of `chunkSize` images (`ChunkPartition`). The forward conv blocks run image by image on whichever
// worker claims the image; in the backward pass each chunk's conv blocks run on one worker, image by
// image so a block's data stays in cache, and each chunk accumulates its own conv-parameter
// gradients, which are summed in chunk order (folded in by the workers as chunks finish,
// `ChunkOrderFold`). Dense layers run on the whole batch, each as the same BLAS calls: the calling
// thread runs them, except the first layer's backward, whose two products (dW and dX) run side by
// side as the first two tasks of the conv backward loop. The thread count therefore changes only
// who computes a chunk or a product, never the arithmetic: same parameters, data and BLAS kernel →
// same bits with 1 or 2 threads.
import Synchronization
import Tensor

public final class Network: @unchecked Sendable {
    public let model: Model
    public let maxBatch: Int
    public let threads: Int
    /// The GEMM engine of the conv layers (`ConvEngine.preferred` unless given).
    public let convEngine: ConvEngine
    /// Images per chunk of the fixed partition (part of the arithmetic; changing it changes bits).
    public static let chunkSize = 8

    private let blocks: [ConvBlockShape]
    private let dense: [(inputs: Int, outputs: Int)]
    private let convWeightOffset: [Int], convBiasOffset: [Int]
    private let denseWeightOffset: [Int], denseBiasOffset: [Int]
    // Per-image block outputs for the whole batch; the last block's pooled output is the
    // flattened feature matrix (N, F).
    private let pooled: [FloatBuffer]             // block b: (N, K_b, H_b/2, W_b/2)
    private let argmax: [AlignedBuffer<UInt8>]     // block b: (N, K_b, H_b/2, W_b/2)
    private let activations: [FloatBuffer]         // dense j: (N, out_j), post-ReLU; the last holds logits (N, 1)
    private let dActA: FloatBuffer, dActB: FloatBuffer  // (N, max dense width) ping-pong
    private let dFeatures: FloatBuffer             // (N, F)
    private let workers: [WorkerSpace]
    private let chunkGradients: FloatBuffer        // (maxChunks, convCount)
    private let chunkSquaredNorms: AlignedBuffer<Double>  // (maxChunks): |g_c|² for the noise scale
    private let chunkConvSquaredNorms: AlignedBuffer<Double>  // (maxChunks): the conv part of |g_c|², per chunk
    private let chunkFold: ChunkOrderFold

    /// Workspaces for batches of up to `maxBatch` images, run on `threads` workers.
    public init(model: Model, maxBatch: Int, threads: Int = 1, convEngine: ConvEngine = .preferred) {
        precondition(maxBatch >= 1 && threads >= 1, "Network needs maxBatch ≥ 1 and threads ≥ 1")
        precondition(convEngine.isAvailable, "conv engine \(convEngine) is not available on this CPU")
        self.model = model
        self.convEngine = convEngine
        self.maxBatch = maxBatch
        self.threads = threads
        NumericEnvironment.setBLASThreads(1)
        let blocks = model.spec.convBlocks, dense = model.spec.denseShapes
        self.blocks = blocks
        self.dense = dense
        let slices = model.layout.slices
        convWeightOffset = (0..<blocks.count).map { slices[2 * $0].offset }
        convBiasOffset = (0..<blocks.count).map { slices[2 * $0 + 1].offset }
        denseWeightOffset = (0..<dense.count).map { slices[2 * (blocks.count + $0)].offset }
        denseBiasOffset = (0..<dense.count).map { slices[2 * (blocks.count + $0) + 1].offset }
        pooled = blocks.map { FloatBuffer(count: maxBatch * $0.pooledSize) }
        argmax = blocks.map { AlignedBuffer<UInt8>(count: maxBatch * $0.pooledSize) }
        activations = dense.map { FloatBuffer(count: maxBatch * $0.outputs) }
        let widest = dense.map(\.outputs).max()!
        dActA = FloatBuffer(count: maxBatch * widest)
        dActB = FloatBuffer(count: maxBatch * widest)
        dFeatures = FloatBuffer(count: maxBatch * model.spec.flattenedFeatures)
        workers = (0..<threads).map { _ in WorkerSpace(blocks: model.spec.convBlocks, convCount: model.layout.convCount) }
        let maxChunks = ChunkPartition(count: maxBatch, chunkSize: Network.chunkSize).chunkCount
        chunkGradients = FloatBuffer(count: maxChunks * model.layout.convCount)
        chunkSquaredNorms = AlignedBuffer<Double>(count: maxChunks)
        chunkConvSquaredNorms = AlignedBuffer<Double>(count: maxChunks)
        chunkFold = ChunkOrderFold(capacity: maxChunks)
    }

    // MARK: - Public entry points

    /// Gradient of the SUM of per-example losses over a batch, written to `gradient` (OVERWRITTEN,
    /// same layout as the parameters), plus the batch's loss sum and correct count. Sums make
    /// sub-batches combine: the gradient of a batch is the sum of its parts' gradients (up to
    /// floating-point order). Take a step with `SGD.step(…, count: stats.count, …)`.
    /// parameters: (P) · images: (N, C, H, W) · labels: (N) of 0/1 · gradient: (P).
    public func gradient(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                         labels: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>) -> BatchStats {
        gradientPass(parameters: parameters, images: images, labels: labels, gradient: gradient, norms: nil)
    }

    /// `gradient`, plus the batch's fixed chunks as the small batches of the gradient noise scale:
    /// each chunk's SUM-gradient squared norm over all parameters, added to `chunks`. The batch
    /// gradient is the same bits as `gradient`'s (the norms only read the chunks' partial sums and
    /// the dense layers' buffers), and the norms do not depend on the thread count (fixed chunks,
    /// summed in chunk order in Double).
    public func gradient(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                         labels: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>,
                         chunks: inout ChunkGradientNorms) -> BatchStats {
        let stats = gradientPass(parameters: parameters, images: images, labels: labels, gradient: gradient,
                                 norms: chunkSquaredNorms.pointer)
        let part = ChunkPartition(count: labels.count, chunkSize: Network.chunkSize)
        for c in 0..<part.chunkCount {
            chunks.add(sumSquaredNorm: chunkSquaredNorms.pointer[c], size: part.range(ofChunk: c).count)
        }
        return stats
    }

    /// norms: (chunks) or nil; when given, OVERWRITTEN with each chunk's |g_c|².
    private func gradientPass(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                              labels: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>,
                              norms: UnsafeMutablePointer<Double>?) -> BatchStats {
        let n = labels.count
        checkShapes(parameters: parameters.count, images: images.count, labels: n)
        precondition(gradient.count == model.layout.count, "gradient buffer has \(gradient.count), layout \(model.layout.count)")
        let theta = parameters.baseAddress!, x = images.baseAddress!, grad = gradient.baseAddress!
        forwardConv(theta, x, n, keepIndices: true)
        forwardDense(theta, n)
        let logits = activations.last!.pointer
        let dLogits = dActA.pointer
        let stats = BCEWithLogits.evaluate(logits: logits, labels: labels.baseAddress!, count: n, dLogits: dLogits)
        let part = ChunkPartition(count: n, chunkSize: Network.chunkSize)
        norms?.update(repeating: 0, count: part.chunkCount)
        backwardDense(theta, grad, n, norms: norms)
        backwardFirstDenseAndConv(theta, x, grad, n, norms: norms)
        return stats
    }

    /// Loss sum and correct count of one batch at the given parameters (forward only, no allocation).
    public func evaluate(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                         labels: UnsafeBufferPointer<Float>) -> BatchStats {
        let n = labels.count
        checkShapes(parameters: parameters.count, images: images.count, labels: n)
        forwardConv(parameters.baseAddress!, images.baseAddress!, n, keepIndices: false)
        forwardDense(parameters.baseAddress!, n)
        return BCEWithLogits.evaluate(logits: activations.last!.pointer, labels: labels.baseAddress!, count: n, dLogits: nil)
    }

    /// Loss and accuracy over a whole data set, `maxBatch` images at a time (forward only).
    /// images: (N, C, H, W) · labels: (N). Throws when the sizes do not match the model.
    public func evaluateDataset(parameters: UnsafeBufferPointer<Float>, images: UnsafeBufferPointer<Float>,
                                labels: UnsafeBufferPointer<Float>) throws -> BatchStats {
        let size = model.spec.inputSize
        guard images.count == labels.count * size else {
            throw NNError.shapeMismatch(what: "image data for \(labels.count) labels", expected: labels.count * size, got: images.count)
        }
        guard parameters.count == model.layout.count else {
            throw NNError.shapeMismatch(what: "parameter vector", expected: model.layout.count, got: parameters.count)
        }
        var total = BatchStats()
        var start = 0
        while start < labels.count {
            let end = min(labels.count, start + maxBatch)
            total = total + evaluate(parameters: parameters,
                                     images: UnsafeBufferPointer(rebasing: images[(start * size)..<(end * size)]),
                                     labels: UnsafeBufferPointer(rebasing: labels[start..<end]))
            start = end
        }
        return total
    }

    /// The logits of the last batch run through `gradient` or `evaluate`: (N).
    public func lastLogits(count: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: activations.last!.pointer, count: count))
    }

    private func checkShapes(parameters: Int, images: Int, labels n: Int) {
        precondition(parameters == model.layout.count, "parameters have \(parameters) elements, layout \(model.layout.count)")
        precondition(n >= 1 && n <= maxBatch, "batch of \(n) outside 1…\(maxBatch)")
        precondition(images == n * model.spec.inputSize, "images have \(images) elements for \(n) labels")
    }

    // MARK: - Conv blocks (per image forward, per chunk backward, in parallel)

    private func forwardConv(_ theta: UnsafePointer<Float>, _ images: UnsafePointer<Float>, _ n: Int, keepIndices: Bool) {
        // Image by image, not chunk by chunk: the forward pass sums nothing across images, so the finer
        // claims cost no bits and let both workers finish within an image of each other.
        Parallel.forEachChunk(n, threads: threads) { i, worker in
            let ws = workers[worker]
            var x = images + i * model.spec.inputSize
            for (b, s) in blocks.enumerated() {
                Conv3x3.forward(x, weights: theta + convWeightOffset[b], shape: s, col: ws.col.pointer, out: ws.conv.pointer,
                                engine: convEngine)
                let out = pooled[b].pointer + i * s.pooledSize
                BiasReluPool.forward(ws.conv.pointer, bias: theta + convBiasOffset[b], channels: s.outChannels, height: s.height,
                                     width: s.width, pooled: out, argmax: keepIndices ? argmax[b].pointer + i * s.pooledSize : nil,
                                     engine: convEngine)
                x = UnsafePointer(out)
            }
        }
    }

    /// The first dense layer's backward (its dX, the conv backward's dFeatures, and its dW, dB and chunk
    /// norms) and the conv blocks' backward, as one parallel loop: task 0 is dX, task 1 the parameter
    /// gradient, tasks 2… the chunks, which wait for dX (claimed first, so its worker is running).
    /// The chunks' conv gradients are folded into grad in chunk order as they finish.
    /// Expects the first layer's dY (through its ReLU) in `firstDenseDY`; norms as in `backwardDense`.
    private func backwardFirstDenseAndConv(_ theta: UnsafePointer<Float>, _ images: UnsafePointer<Float>,
                                           _ grad: UnsafeMutablePointer<Float>, _ n: Int, norms: UnsafeMutablePointer<Double>?) {
        let part = ChunkPartition(count: n, chunkSize: Network.chunkSize)
        let convCount = model.layout.convCount
        let features = model.spec.flattenedFeatures
        let first = dense[0], dY = UnsafePointer(firstDenseDY)
        let x = UnsafePointer(pooled.last!.pointer)
        let featuresReady = Atomic<Bool>(false)
        chunkFold.reset(chunks: part.chunkCount)
        Parallel.forEachChunk(part.chunkCount + 2, threads: threads) { task, worker in
            if task == 0 {
                Dense.inputGradient(weights: theta + denseWeightOffset[0], dY: dY, batch: n, inputs: first.inputs, outputs: first.outputs,
                                    dX: dFeatures.pointer)
                featuresReady.store(true, ordering: .releasing)
                return
            }
            if task == 1 {
                // Zeroed here rather than with the other dense layers: the layer's 4·in·out bytes leave the serial path too.
                (grad + denseWeightOffset[0]).update(repeating: 0, count: first.inputs * first.outputs)
                (grad + denseBiasOffset[0]).update(repeating: 0, count: first.outputs)
                Dense.parameterGradients(x, dY: dY, batch: n, inputs: first.inputs, outputs: first.outputs,
                                         dW: grad + denseWeightOffset[0], dB: grad + denseBiasOffset[0])
                if let norms { ChunkNorms.addDense(x: x, dY: dY, inputs: first.inputs, outputs: first.outputs, partition: part, into: norms) }
                return
            }
            let chunk = task - 2
            while !featuresReady.load(ordering: .acquiring) {}  // dX's worker is running: a short wait at most
            let ws = workers[worker]
            let slot = chunkGradients.pointer + chunk * convCount
            slot.update(repeating: 0, count: convCount)
            ws.dWT.pointer.update(repeating: 0, count: convCount)
            for i in part.range(ofChunk: chunk) {
                var dPooled = UnsafePointer(dFeatures.pointer + i * features)
                for b in blocks.indices.reversed() {
                    let s = blocks[b]
                    BiasReluPool.backward(dPooled: dPooled, pooled: pooled[b].pointer + i * s.pooledSize,
                                          argmax: argmax[b].pointer + i * s.pooledSize, channels: s.outChannels,
                                          height: s.height, width: s.width, dConv: ws.dConv.pointer, dBias: slot + convBiasOffset[b],
                                          engine: convEngine)
                    let input = b == 0 ? images + i * model.spec.inputSize : UnsafePointer(pooled[b - 1].pointer + i * blocks[b - 1].pooledSize)
                    let dInput = b == 0 ? nil : (b % 2 == 0 ? ws.dInA.pointer : ws.dInB.pointer)
                    Conv3x3.backward(input, weights: theta + convWeightOffset[b], dOut: ws.dConv.pointer, shape: s,
                                     col: ws.col.pointer, dCol: ws.dCol.pointer, dWT: ws.dWT.pointer + convWeightOffset[b], dX: dInput,
                                     engine: convEngine)
                    if let dInput { dPooled = UnsafePointer(dInput) }
                }
            }
            for (b, s) in blocks.enumerated() {
                Conv3x3.addTransposed(ws.dWT.pointer + convWeightOffset[b], shape: s, into: slot + convWeightOffset[b],
                                      engine: convEngine)
            }
            if norms != nil { chunkConvSquaredNorms.pointer[chunk] = ChunkNorms.squaredNorm(slot, count: convCount) }
            // Fixed-order reduction of the chunks' partial sums: grad = slot 0, then += slot 1, 2, … in order.
            chunkFold.finish(chunk) { c in
                let slot = UnsafePointer(chunkGradients.pointer + c * convCount)
                if c == 0 {
                    grad.update(from: slot, count: convCount)
                } else {
                    for j in 0..<convCount { grad[j] += slot[j] }
                }
            }
        }
        precondition(chunkFold.folded == part.chunkCount, "conv gradient reduction incomplete")
        if let norms {
            // After every dense layer's share, as before the conv backward ran in parallel with the first one's.
            for c in 0..<part.chunkCount { norms[c] += chunkConvSquaredNorms.pointer[c] }
        }
    }

    // MARK: - Dense layers (whole batch, calling thread)

    private func forwardDense(_ theta: UnsafePointer<Float>, _ n: Int) {
        var x = UnsafePointer(pooled.last!.pointer)
        for (j, d) in dense.enumerated() {
            let y = activations[j].pointer
            Dense.forward(x, weights: theta + denseWeightOffset[j], bias: theta + denseBiasOffset[j], batch: n,
                          inputs: d.inputs, outputs: d.outputs, relu: j < dense.count - 1, y: y)
            x = UnsafePointer(y)
        }
    }

    /// The dense layers' backward down to the first layer's dY (through its ReLU), left in `firstDenseDY`;
    /// the first layer's products run in `backwardFirstDenseAndConv`. Expects dLogits (N, 1) in dActA.
    /// Zeroes, then fills, the gradient of every dense layer but the first.
    /// norms: (chunks) or nil; each layer adds its chunk shares' squared norms (ChunkNorms.addDense), last layer first.
    private func backwardDense(_ theta: UnsafePointer<Float>, _ grad: UnsafeMutablePointer<Float>, _ n: Int,
                               norms: UnsafeMutablePointer<Double>?) {
        var dY = dActA.pointer, spare = dActB.pointer
        if dense.count > 1 {
            (grad + denseWeightOffset[1]).update(repeating: 0, count: model.layout.count - denseWeightOffset[1])
        }
        for j in dense.indices.reversed() {
            let d = dense[j]
            if j < dense.count - 1 { Dense.reluBackward(y: activations[j].pointer, dY: dY, count: n * d.outputs) }
            if j == 0 { break }
            let x = UnsafePointer(activations[j - 1].pointer)
            Dense.backward(x, weights: theta + denseWeightOffset[j], dY: dY, batch: n, inputs: d.inputs, outputs: d.outputs,
                           dW: grad + denseWeightOffset[j], dB: grad + denseBiasOffset[j], dX: spare)
            if let norms {
                ChunkNorms.addDense(x: x, dY: dY, inputs: d.inputs, outputs: d.outputs,
                                    partition: ChunkPartition(count: n, chunkSize: Network.chunkSize), into: norms)
            }
            swap(&dY, &spare)
        }
        assert(dY == firstDenseDY)
    }

    /// Where `backwardDense` leaves the first dense layer's dY (N, out₀): the ping-pong starts at dActA
    /// with the last layer and swaps once per layer.
    private var firstDenseDY: UnsafeMutablePointer<Float> { (dense.count - 1) % 2 == 0 ? dActA.pointer : dActB.pointer }
}

/// One worker's scratch space for one image's conv blocks, sized for the largest block.
final class WorkerSpace: @unchecked Sendable {
    let col: FloatBuffer, dCol: FloatBuffer   // (C·9, H·W); dCol (max(C·9, K), H·W)
    let conv: FloatBuffer, dConv: FloatBuffer // (K, H·W)
    let dInA: FloatBuffer, dInB: FloatBuffer  // (C, H, W) of block inputs, ping-pong
    let dWT: FloatBuffer                      // the chunk's transposed conv weight gradients, at the layout's offsets

    init(blocks: [ConvBlockShape], convCount: Int) {
        let colSize = blocks.map(\.colSize).max()!
        let convSize = blocks.map(\.convSize).max()!
        let inSize = blocks.dropFirst().map(\.inputSize).max() ?? 1
        col = FloatBuffer(count: colSize); dCol = FloatBuffer(count: max(colSize, convSize))  // dCol also parks dOutᵀ
        conv = FloatBuffer(count: convSize); dConv = FloatBuffer(count: convSize)
        dInA = FloatBuffer(count: inSize); dInB = FloatBuffer(count: inSize)
        dWT = FloatBuffer(count: convCount)
    }
}
