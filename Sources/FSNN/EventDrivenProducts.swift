import Layers
import Tensor

/// The products of one layer's map A_W whose cost follows the non-zero entries of their sparse
/// operand, as a spiking network computes them (spec §2: spikes are 0 or 1; rates and the IDE and
/// STBP gradients vanish outside the clamp's and the surrogate's windows, spec §4.6, §10):
///
///     forward(spikes:)                      y = A_W s + b     s binary: each spike adds the weights of its synapses
///     forward(sparse:)                      y = A_W x + b     x mostly 0: each non-zero x adds x × those weights
///     adjoint(_:)                           x = A_Wᵀ y        y mostly 0: likewise through the adjoint's synapses
///     accumulateWeightGradient(spikes:…)    ∂W += dy ⊗ s      s binary: each spike adds the output gradients it reaches
///     accumulateWeightGradient(sparse:…)    ∂W += dy ⊗ x      x mostly 0: each non-zero x adds x × those gradients
///
/// An event is a non-zero input element (channel c at pixel q). Per sample the events are
/// bucketed by pixel; all events of one pixel reach the same runs of the layer's `SynapseTable`
/// (consecutive output pixels through consecutive taps), and with the weight laid out as
/// [input channel, tap, output channel] one event's share of a run is one contiguous block. So
/// each run's block of outputs is loaded once, the weight blocks of all the pixel's events are
/// added to it in registers, and it is stored once. Outputs accumulate channels-last and are
/// transposed to NCHW per sample; samples are split across `Parallel` workers (the weight
/// gradient into one sum per worker, added in worker order: deterministic for a worker count).
///
/// The results equal the dense products up to the order of the Float32 sums. The callers choose
/// between this and the dense path from the operand's density and the crossovers `fsnn bench ops`
/// measures (`Crossovers`).
public final class EventDrivenProducts {
    public let layer: any AffineLayer
    private let forwardTable: SynapseTable
    private let adjointTable: SynapseTable
    /// relaid[j] = weight[index[j]] for the input-major (forward) and output-major (adjoint) layouts.
    private let inputMajorIndex: [Int32]
    private let outputMajorIndex: [Int32]
    private let inputMajor: Tensor
    private let outputMajor: Tensor
    private var inputMajorIsCurrent = false
    private var outputMajorIsCurrent = false
    private var workspaces: [Workspace] = []
    /// Where the callers switch between these products and the dense ones; tests set them to 0
    /// (always dense) or above 1 (always event-driven) to compare the two paths.
    public var crossovers: Crossovers

    public init(layer: any AffineLayer) {
        self.layer = layer
        forwardTable = layer.synapseTable
        adjointTable = layer.transposedSynapseTable
        crossovers = Self.measuredCrossovers(forwardTable)
        let count = layer.weight.value.count
        precondition(count < 1 << 24, "\(layer): \(count) weights cannot be indexed exactly in Float32")
        let positions = Tensor(zeros: layer.weight.shape)
        for i in 0..<count { positions.pointer[i] = Float(i) }
        inputMajor = Tensor(zeros: [count])
        outputMajor = Tensor(zeros: [count])
        layer.writeInputMajor(positions, into: inputMajor)
        layer.writeOutputMajor(positions, into: outputMajor)
        inputMajorIndex = inputMajor.scalars.map { Int32($0) }
        outputMajorIndex = outputMajor.scalars.map { Int32($0) }
    }

    /// Marks the relaid weights out of date; call whenever the layer's weight changes (once per
    /// batch). A layout is rebuilt at the first product that needs it.
    public func prepare() {
        inputMajorIsCurrent = false
        outputMajorIsCurrent = false
    }

    // MARK: Products

    /// y = A_W s + b for binary s, [N] + input sample shape; y: [N] + output sample shape.
    public func forward(spikes s: Tensor, into y: Tensor) throws(TensorError) {
        try forward(s, scaled: false, into: y)
    }

    /// y = A_W x + b for x, [N] + input sample shape, most of whose entries are 0.
    public func forward(sparse x: Tensor, into y: Tensor) throws(TensorError) {
        try forward(x, scaled: true, into: y)
    }

    private func forward(_ s: Tensor, scaled: Bool, into y: Tensor) throws(TensorError) {
        let batch = try checkBatch(s, layer.inputSampleShape, scaled ? "sparse input" : "spike input")
        try y.checkShape([batch] + layer.outputSampleShape, "\(layer) output")
        let weights = relaid(inputMajor: true)
        let table = forwardTable, bias = layer.bias?.value
        forEachSample(batch) { b, workspace in
            let rows = workspace.rows(table.outputPixels * table.outputChannels)
            for p in 0..<table.outputPixels {
                let row = rows + p * table.outputChannels
                if let bias { row.update(from: bias.pointer, count: table.outputChannels) } else {
                    row.update(repeating: 0, count: table.outputChannels)
                }
            }
            let events = workspace.gather(s.pointer + b * table.inputSize, channels: table.inputChannels,
                                          pixels: table.inputPixels, values: scaled)
            Self.accumulate(events, table: table, weights: weights.pointer, scaled: scaled, into: rows)
            Self.writeChannelsFirst(rows, pixels: table.outputPixels, channels: table.outputChannels,
                                    into: y.pointer + b * table.outputSize)
        }
    }

    /// x = A_Wᵀ y for y, [N] + output sample shape, most of whose entries are 0 (x: [N] + input
    /// sample shape, overwritten).
    public func adjoint(_ y: Tensor, into x: Tensor) throws(TensorError) {
        let batch = try checkBatch(y, layer.outputSampleShape, "adjoint input")
        try x.checkShape([batch] + layer.inputSampleShape, "\(layer) adjoint output")
        let weights = relaid(inputMajor: false)
        let table = adjointTable
        forEachSample(batch) { b, workspace in
            let rows = workspace.rows(table.outputPixels * table.outputChannels)
            rows.update(repeating: 0, count: table.outputPixels * table.outputChannels)
            let events = workspace.gather(y.pointer + b * table.inputSize, channels: table.inputChannels,
                                          pixels: table.inputPixels, values: true)
            Self.accumulate(events, table: table, weights: weights.pointer, scaled: true, into: rows)
            Self.writeChannelsFirst(rows, pixels: table.outputPixels, channels: table.outputChannels,
                                    into: x.pointer + b * table.outputSize)
        }
    }

    /// dW += ∂⟨dy, A_W s⟩/∂W for binary s, [N] + input sample shape, and dy, [N] + output sample
    /// shape; dW has the weight's shape and layout.
    public func accumulateWeightGradient(spikes s: Tensor, outputGradient dy: Tensor, into dW: Tensor)
        throws(TensorError) {
        try accumulateWeightGradient(s, scaled: false, outputGradient: dy, into: dW)
    }

    /// dW += ∂⟨dy, A_W x⟩/∂W for x, [N] + input sample shape, most of whose entries are 0.
    public func accumulateWeightGradient(sparse x: Tensor, outputGradient dy: Tensor, into dW: Tensor)
        throws(TensorError) {
        try accumulateWeightGradient(x, scaled: true, outputGradient: dy, into: dW)
    }

    private func accumulateWeightGradient(_ s: Tensor, scaled: Bool, outputGradient dy: Tensor, into dW: Tensor)
        throws(TensorError) {
        let batch = try checkBatch(s, layer.inputSampleShape, scaled ? "sparse input" : "spike input")
        try dy.checkShape([batch] + layer.outputSampleShape, "\(layer) output gradient")
        try dW.checkShape(layer.weight.shape, "\(layer) weight gradient")
        let table = forwardTable
        let workers = forEachSample(batch, prepare: { workspace in
            workspace.weightGradient(count: dW.count).update(repeating: 0, count: dW.count)
        }) { b, workspace in
            let rows = workspace.rows(table.outputPixels * table.outputChannels)
            Self.writeChannelsLast(dy.pointer + b * table.outputSize, pixels: table.outputPixels,
                                   channels: table.outputChannels, into: rows)
            let events = workspace.gather(s.pointer + b * table.inputSize, channels: table.inputChannels,
                                          pixels: table.inputPixels, values: scaled)
            Self.spread(rows, events: events, table: table, scaled: scaled,
                        into: workspace.weightGradient(count: dW.count))
        }
        inputMajorIndex.withUnsafeBufferPointer { index in
            for w in 0..<workers {
                let partial = workspaces[w].weightGradient(count: dW.count)
                for j in 0..<dW.count { dW.pointer[Int(index[j])] += partial[j] }
            }
        }
    }

    // MARK: Kernels

    /// Adds each event's weight blocks to the runs of its pixel:
    /// rows[p…p+n, :] += Σ_{events (c, q)} value · W[c, k…k+n, :] for each run (p, k, n) of q.
    private static func accumulate(_ events: Events, table: SynapseTable, weights: UnsafePointer<Float>, scaled: Bool,
                                   into rows: UnsafeMutablePointer<Float>) {
        let width = table.outputChannels, stride = table.taps * width
        table.runStart.withUnsafeBufferPointer { starts in
            table.tap.withUnsafeBufferPointer { taps in
                table.outputPixel.withUnsafeBufferPointer { pixels in
                    table.length.withUnsafeBufferPointer { lengths in
                        for q in 0..<table.inputPixels {
                            let count = Int(events.counts[q])
                            guard count > 0 else { continue }
                            let channels = events.channels + q * events.capacity
                            let values = events.values + q * events.capacity
                            for run in starts[q]..<starts[q + 1] {
                                let target = rows + pixels[run] * width, offset = taps[run] * width
                                let length = lengths[run] * width
                                if scaled {
                                    addScaledBlocks(weights + offset, stride: stride, channels: channels, values: values,
                                                    count: count, into: target, length: length)
                                } else {
                                    addBlocks(weights + offset, stride: stride, channels: channels, count: count,
                                              into: target, length: length)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The weight gradient's scatter: for each run (p, k, n) of each event (c, q),
    /// dW[c, k…k+n, :] += value · rows[p…p+n, :] (dW input-major; value 1 unless `scaled`).
    private static func spread(_ rows: UnsafeMutablePointer<Float>, events: Events, table: SynapseTable, scaled: Bool,
                               into gradient: UnsafeMutablePointer<Float>) {
        let width = table.outputChannels, stride = table.taps * width
        table.runStart.withUnsafeBufferPointer { starts in
            table.tap.withUnsafeBufferPointer { taps in
                table.outputPixel.withUnsafeBufferPointer { pixels in
                    table.length.withUnsafeBufferPointer { lengths in
                        for q in 0..<table.inputPixels {
                            let count = Int(events.counts[q])
                            guard count > 0 else { continue }
                            let channels = events.channels + q * events.capacity
                            let values = events.values + q * events.capacity
                            for run in starts[q]..<starts[q + 1] {
                                let source = rows + pixels[run] * width, offset = taps[run] * width
                                let length = lengths[run] * width
                                for e in 0..<count {
                                    let target = gradient + Int(channels[e]) * stride + offset
                                    if scaled {
                                        VectorKernels.axpy(target, values[e], source, length)
                                    } else {
                                        VectorKernels.add(target, source, length)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// target[0..<length] += Σ_e source[channels[e]·stride + 0..<length], 64 lanes at a time in
    /// registers (each event's block read as whole cache lines), then 32, 8 and 1.
    @inline(__always)
    private static func addBlocks(_ source: UnsafePointer<Float>, stride: Int, channels: UnsafePointer<Int32>, count: Int,
                                  into target: UnsafeMutablePointer<Float>, length: Int) {
        var j = 0
        while j + 64 <= length {
            var a = load16(target + j), b = load16(target + j + 16)
            var c = load16(target + j + 32), d = load16(target + j + 48)
            for e in 0..<count {
                let row = source + Int(channels[e]) * stride + j
                a += load16(row)
                b += load16(row + 16)
                c += load16(row + 32)
                d += load16(row + 48)
            }
            store16(a, target + j)
            store16(b, target + j + 16)
            store16(c, target + j + 32)
            store16(d, target + j + 48)
            j += 64
        }
        while j + 32 <= length {
            var a = load16(target + j), b = load16(target + j + 16)
            for e in 0..<count {
                let row = source + Int(channels[e]) * stride + j
                a += load16(row)
                b += load16(row + 16)
            }
            store16(a, target + j)
            store16(b, target + j + 16)
            j += 32
        }
        while j + 8 <= length {
            var a = load8(target + j)
            for e in 0..<count { a += load8(source + Int(channels[e]) * stride + j) }
            store8(a, target + j)
            j += 8
        }
        while j < length {
            var a = target[j]
            for e in 0..<count { a += source[Int(channels[e]) * stride + j] }
            target[j] = a
            j += 1
        }
    }

    /// target[0..<length] += Σ_e values[e] · source[channels[e]·stride + 0..<length] (fused multiply–adds).
    @inline(__always)
    private static func addScaledBlocks(_ source: UnsafePointer<Float>, stride: Int, channels: UnsafePointer<Int32>,
                                        values: UnsafePointer<Float>, count: Int, into target: UnsafeMutablePointer<Float>,
                                        length: Int) {
        var j = 0
        while j + 64 <= length {
            var a = load16(target + j), b = load16(target + j + 16)
            var c = load16(target + j + 32), d = load16(target + j + 48)
            for e in 0..<count {
                let row = source + Int(channels[e]) * stride + j, v = SIMD16<Float>(repeating: values[e])
                a.addProduct(v, load16(row))
                b.addProduct(v, load16(row + 16))
                c.addProduct(v, load16(row + 32))
                d.addProduct(v, load16(row + 48))
            }
            store16(a, target + j)
            store16(b, target + j + 16)
            store16(c, target + j + 32)
            store16(d, target + j + 48)
            j += 64
        }
        while j + 32 <= length {
            var a = load16(target + j), b = load16(target + j + 16)
            for e in 0..<count {
                let row = source + Int(channels[e]) * stride + j, v = SIMD16<Float>(repeating: values[e])
                a.addProduct(v, load16(row))
                b.addProduct(v, load16(row + 16))
            }
            store16(a, target + j)
            store16(b, target + j + 16)
            j += 32
        }
        while j + 8 <= length {
            var a = load8(target + j)
            for e in 0..<count { a.addProduct(SIMD8(repeating: values[e]), load8(source + Int(channels[e]) * stride + j)) }
            store8(a, target + j)
            j += 8
        }
        while j < length {
            var a = target[j]
            for e in 0..<count { a.addProduct(values[e], source[Int(channels[e]) * stride + j]) }
            target[j] = a
            j += 1
        }
    }

    /// NCHW [channels, pixels] of one sample from channels-last rows [pixels, channels].
    private static func writeChannelsFirst(_ rows: UnsafePointer<Float>, pixels: Int, channels: Int,
                                           into target: UnsafeMutablePointer<Float>) {
        if pixels == 1 { target.update(from: rows, count: channels); return }
        for p in 0..<pixels { for c in 0..<channels { target[c * pixels + p] = rows[p * channels + c] } }
    }

    /// Channels-last rows [pixels, channels] of one NCHW sample [channels, pixels].
    private static func writeChannelsLast(_ source: UnsafePointer<Float>, pixels: Int, channels: Int,
                                          into rows: UnsafeMutablePointer<Float>) {
        if pixels == 1 { rows.update(from: source, count: channels); return }
        for c in 0..<channels { for p in 0..<pixels { rows[p * channels + c] = source[c * pixels + p] } }
    }

    // MARK: Plumbing

    private func checkBatch(_ x: Tensor, _ sampleShape: [Int], _ role: String) throws(TensorError) -> Int {
        let batch = x.shape.first ?? 0
        try x.checkShape([batch] + sampleShape, "\(layer) \(role)")
        return batch
    }

    /// The weight in the input-major (forward) or output-major (adjoint) layout, rebuilt when stale.
    private func relaid(inputMajor wanted: Bool) -> Tensor {
        let target = wanted ? inputMajor : outputMajor
        if wanted ? !inputMajorIsCurrent : !outputMajorIsCurrent {
            let w = layer.weight.value.pointer, r = target.pointer
            (wanted ? inputMajorIndex : outputMajorIndex).withUnsafeBufferPointer { index in
                for j in 0..<target.count { r[j] = w[Int(index[j])] }
            }
            if wanted { inputMajorIsCurrent = true } else { outputMajorIsCurrent = true }
        }
        return target
    }

    /// Runs `body(sample, workspace)` for every sample, split across workers; returns the worker count.
    @discardableResult
    private func forEachSample(_ batch: Int, prepare: (Workspace) -> Void = { _ in },
                               _ body: (Int, Workspace) -> Void) -> Int {
        let workers = Parallel.workers(for: batch)
        while workspaces.count < workers { workspaces.append(Workspace()) }
        for w in 0..<workers { prepare(workspaces[w]) }
        Parallel.forEachWorkerChunk(batch) { worker, samples in
            for b in samples { body(b, workspaces[worker]) }
        }
        return workers
    }
}

extension EventDrivenProducts {
    /// Densities below which the event-driven products beat the dense ones (BLAS), per product:
    /// the crossovers `fsnn bench ops` measures on this project's machines (2 cores). They are
    /// constants, not measured at run time, so that a seed gives the same bits on every machine.
    public struct Crossovers: Sendable {
        public var forward: Float
        public var sparseForward: Float
        public var adjoint: Float
        public var weightGradient: Float
        public var sparseWeightGradient: Float

        /// The same crossover for every product (tests force a path with 0 or 2).
        public static func all(_ density: Float) -> Crossovers {
            Crossovers(forward: density, sparseForward: density, adjoint: density, weightGradient: density,
                       sparseWeightGradient: density)
        }
    }

    /// The crossovers measured for a layer of this table's kind (`fsnn bench ops --events-only`,
    /// 2 workers, batch 128, AMD EPYC Zen 4: the density where the event-driven product's median
    /// falls to the dense one's, rounded down over the paper's layers of the kind). Fully connected
    /// (F400's 400→400): the products of spikes, rates and gradients win below about 0.3; its weight
    /// gradients never win (the dense sgemm of a 400×400 gradient is too cheap). Convolutions (the
    /// MNIST and AlexNet-F layers): the forwards win below 0.3–0.5, the adjoint below 0.17 (L3's
    /// stride-2 adjoint) to 0.5, the weight gradients below 0.2–0.45.
    static func measuredCrossovers(_ table: SynapseTable) -> Crossovers {
        table.isFullyConnected
            ? Crossovers(forward: 0.25, sparseForward: 0.25, adjoint: 0.25, weightGradient: 0, sparseWeightGradient: 0)
            : Crossovers(forward: 0.35, sparseForward: 0.35, adjoint: 0.25, weightGradient: 0.25, sparseWeightGradient: 0.25)
    }

    // MARK: The path by density

    /// y = A_W s + b for binary s of which a fraction `density` is 1: event-driven below the
    /// crossover, the layer's dense forward otherwise.
    public func forward(spikes s: Tensor, density: Float, into y: Tensor) throws(TensorError) {
        if density < crossovers.forward { try forward(spikes: s, into: y) } else { try layer.forward(s, into: y) }
    }

    /// y = A_W x + b for x of which a fraction `density` is not 0.
    public func forward(sparse x: Tensor, density: Float, into y: Tensor) throws(TensorError) {
        if density < crossovers.sparseForward { try forward(sparse: x, into: y) } else { try layer.forward(x, into: y) }
    }

    /// x = A_Wᵀ y for y of which a fraction `density` is not 0.
    public func adjoint(_ y: Tensor, density: Float, into x: Tensor) throws(TensorError) {
        if density < crossovers.adjoint {
            try adjoint(y, into: x)
        } else {
            try layer.applyTransposed(weight: layer.weight.value, to: y, into: x)
        }
    }

    /// dW += dy ⊗ s for binary s of which a fraction `density` is 1.
    public func accumulateWeightGradient(spikes s: Tensor, density: Float, outputGradient dy: Tensor, into dW: Tensor)
        throws(TensorError) {
        if density < crossovers.weightGradient {
            try accumulateWeightGradient(spikes: s, outputGradient: dy, into: dW)
        } else {
            try layer.accumulateWeightGradient(input: s, outputGradient: dy, into: dW)
        }
    }

    /// dW += dy ⊗ x for x of which a fraction `density` is not 0.
    public func accumulateWeightGradient(sparse x: Tensor, density: Float, outputGradient dy: Tensor, into dW: Tensor)
        throws(TensorError) {
        if density < crossovers.sparseWeightGradient {
            try accumulateWeightGradient(sparse: x, outputGradient: dy, into: dW)
        } else {
            try layer.accumulateWeightGradient(input: x, outputGradient: dy, into: dW)
        }
    }
}

extension Tensor {
    /// The fraction of entries that are not 0.
    func density() -> Float {
        var count = 0
        for i in 0..<self.count { count += pointer[i] != 0 ? 1 : 0 }
        return self.count > 0 ? Float(count) / Float(self.count) : 0
    }
}

/// One worker's buffers: the event buckets of one sample and channels-last rows.
private final class Workspace {
    private var rowStorage = Tensor(zeros: [0])
    private var gradientStorage = Tensor(zeros: [0])
    private var counts: UnsafeMutablePointer<Int32>?
    private var channels: UnsafeMutablePointer<Int32>?
    private var values: UnsafeMutablePointer<Float>?
    private var bucketPixels = 0, bucketCapacity = 0

    deinit {
        counts?.deallocate()
        channels?.deallocate()
        values?.deallocate()
    }

    func rows(_ count: Int) -> UnsafeMutablePointer<Float> {
        if rowStorage.count < count { rowStorage = Tensor(zeros: [count]) }
        return rowStorage.pointer
    }

    func weightGradient(count: Int) -> UnsafeMutablePointer<Float> {
        if gradientStorage.count < count { gradientStorage = Tensor(zeros: [count]) }
        return gradientStorage.pointer
    }

    /// The non-zero entries of one NCHW sample [channels, pixels], bucketed by pixel in channel order.
    func gather(_ x: UnsafePointer<Float>, channels count: Int, pixels: Int, values keepsValues: Bool) -> Events {
        if pixels > bucketPixels || count > bucketCapacity {
            self.counts?.deallocate()
            self.channels?.deallocate()
            self.values?.deallocate()
            bucketPixels = max(pixels, bucketPixels)
            bucketCapacity = max(count, bucketCapacity)
            self.counts = .allocate(capacity: bucketPixels)
            self.channels = .allocate(capacity: bucketPixels * bucketCapacity)
            self.values = .allocate(capacity: bucketPixels * bucketCapacity)
        }
        let counts = self.counts!, channels = self.channels!, values = self.values!
        counts.update(repeating: 0, count: pixels)
        for c in 0..<count {
            let plane = x + c * pixels
            var q = 0
            while q < pixels {
                if q + 8 <= pixels, load8(plane + q) == SIMD8<Float>() {
                    q += 8
                    continue
                }
                let end = min(q + 8, pixels)
                while q < end {
                    let value = plane[q]
                    if value != 0 {
                        let slot = q * count + Int(counts[q])
                        channels[slot] = Int32(c)
                        if keepsValues { values[slot] = value }
                        counts[q] += 1
                    }
                    q += 1
                }
            }
        }
        return Events(counts: counts, channels: channels, values: values, capacity: count)
    }
}

/// Per pixel q: `counts[q]` events, their channels at `channels[q·capacity…]` and (real-valued
/// operands) their values at `values[q·capacity…]`.
private struct Events {
    let counts: UnsafeMutablePointer<Int32>
    let channels: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Float>
    let capacity: Int
}

extension SynapseTable {
    var inputSize: Int { inputChannels * inputPixels }
    var outputSize: Int { outputChannels * outputPixels }
}

@inline(__always) private func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}
@inline(__always) private func load16(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> { load16(UnsafePointer(p)) }
@inline(__always) private func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}
@inline(__always) private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}
@inline(__always) private func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load8(UnsafePointer(p)) }
@inline(__always) private func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
