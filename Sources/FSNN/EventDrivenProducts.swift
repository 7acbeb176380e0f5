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
/// An event is a non-zero input element (channel c at pixel q). The weight is laid out as
/// [input channel, tap, output channel], so that an event's contribution through one tap is one
/// contiguous row W[c, k, :].
///
/// The products into an image (the forwards and the adjoint) bucket each sample's events by pixel
/// and run one of two kernels, chosen per sample by the mean count of events per active input
/// pixel (`crowdedPixel`, 3, measured on MNIST's and AlexNet-F's real batches):
///
/// - output-stationary, for scattered events (`sumOutputs`): for each output pixel p, the events
///   at the input pixels of its receptive field (`ReceptiveFieldTable`) are listed as weight rows,
///   chunk by chunk of pixels so that the list stays in cache, summed in registers 64 output
///   channels at a time from the bias, and stored once into a tile of 8 output pixels, which goes
///   to NCHW by 8 × 8 register transpositions (`TileTransposition`);
/// - input-stationary, for crowded events (`spreadEvents`): for each input pixel and each run of
///   its synapses, all the pixel's events are summed in registers onto the run's output rows, so
///   that the weights are read in contiguous runs of taps and each output row once per pixel.
///
/// Both read the weight block by block of 64 output channels (`ChannelBlocks`) so that a block's
/// rows come from the L2 cache (a fully connected layer, whose one output pixel reads each row
/// once, in one block).
///
/// The weight gradients run on groups of samples: their output gradients are transposed to
/// channels-last rows in blocks of output channels (all channels where one sample's gradients fit
/// 256 KB), their events listed by channel, and block by block, channel by channel, each event adds
/// the rows of its synapses' output pixels to its channel's slice of dW, which stays in the L1
/// cache across the group's events of the channel. Samples are split across `Parallel` workers
/// (the weight gradient into one sum per worker, added in worker order: deterministic for a
/// worker count).
///
/// Every output element is summed in the order bias, then input pixels ascending, then channels
/// ascending (the gradients: samples, then input pixels), in both kernels, so the kernel chosen
/// never changes a bit and the results equal the dense products
/// up to the order of the Float32 sums. The callers choose between these and the dense products
/// from the operand's density and the crossovers `fsnn bench ops` measures (`Crossovers`).
public final class EventDrivenProducts {
    public let layer: any AffineLayer
    private let forwardTable: SynapseTable
    private let adjointTable: SynapseTable
    private let forwardFields: ReceptiveFieldTable
    private let adjointFields: ReceptiveFieldTable
    /// The weight as the forward and the adjoint sums read it: their input-major layouts in blocks
    /// of output channels (`ChannelBlocks`). The weight gradients accumulate in the forward's.
    private let forwardWeight: RelaidWeight
    private let adjointWeight: RelaidWeight
    private let forwardBlocks: ChannelBlocks
    /// The weight gradients' blocks of output channels and where each entry of their blocked
    /// layout lies in the weight.
    private let gradientBlocks: ChannelBlocks
    private let gradientIndex: [Int32]
    private let adjointBlocks: ChannelBlocks
    private var workspaces: [EventWorkspace] = []
    /// Where the callers switch between these products and the dense ones; tests set them to 0
    /// (always dense) or above 1 (always event-driven) to compare the two paths.
    public var crossovers: Crossovers
    /// The mean count of events per active input pixel from which the forwards and the adjoint run
    /// input-stationary (`spreadEvents`) rather than output-stationary (`sumOutputs`); tests set
    /// it to 0 or infinity to compare the two kernels.
    public var crowdedPixel: Float = 3

    public init(layer: any AffineLayer) {
        self.layer = layer
        forwardTable = layer.synapseTable
        forwardFields = ReceptiveFieldTable(inverting: forwardTable)
        adjointTable = layer.transposedSynapseTable
        adjointFields = ReceptiveFieldTable(inverting: adjointTable)
        crossovers = Self.measuredCrossovers(forwardTable)
        let count = layer.weight.value.count
        precondition(count < 1 << 24, "\(layer): \(count) weights cannot be indexed exactly in Float32")
        let positions = Tensor(zeros: layer.weight.shape)
        for i in 0..<count { positions.pointer[i] = Float(i) }
        let inputMajor = Tensor(zeros: [count]), outputMajor = Tensor(zeros: [count])
        layer.writeInputMajor(positions, into: inputMajor)
        layer.writeOutputMajor(positions, into: outputMajor)
        forwardBlocks = ChannelBlocks(forwardFields)
        adjointBlocks = ChannelBlocks(adjointFields)
        gradientBlocks = ChannelBlocks(gradientOf: forwardFields)
        let inputMajorIndex = inputMajor.scalars.map { Int32($0) }
        forwardWeight = RelaidWeight(index: forwardBlocks.blocked(inputMajorIndex))
        gradientIndex = gradientBlocks.blocked(inputMajorIndex)
        adjointWeight = RelaidWeight(index: adjointBlocks.blocked(outputMajor.scalars.map { Int32($0) }))
    }

    /// Marks the relaid weights out of date; call whenever the layer's weight changes (once per
    /// batch). A layout is rebuilt at the first product that needs it.
    public func prepare() {
        forwardWeight.isCurrent = false
        adjointWeight.isCurrent = false
    }

    // MARK: Products

    /// y = A_W s + b for binary s, [N] + input sample shape; y: [N] + output sample shape.
    public func forward(spikes s: Tensor, into y: Tensor) throws(TensorError) {
        let batch = try checkBatch(s, layer.inputSampleShape, "spike input")
        try y.checkShape([batch] + layer.outputSampleShape, "\(layer) output")
        sumOutputs(Spike.self, of: s, batch: batch, table: forwardTable, fields: forwardFields, blocks: forwardBlocks,
                   weights: forwardWeight.current(layer.weight.value),
                   bias: layer.bias?.value, into: y)
    }

    /// y = A_W x + b for x, [N] + input sample shape, most of whose entries are 0.
    public func forward(sparse x: Tensor, into y: Tensor) throws(TensorError) {
        let batch = try checkBatch(x, layer.inputSampleShape, "sparse input")
        try y.checkShape([batch] + layer.outputSampleShape, "\(layer) output")
        sumOutputs(RealValue.self, of: x, batch: batch, table: forwardTable, fields: forwardFields, blocks: forwardBlocks,
                   weights: forwardWeight.current(layer.weight.value),
                   bias: layer.bias?.value, into: y)
    }

    /// x = A_Wᵀ y for y, [N] + output sample shape, most of whose entries are 0 (x: [N] + input
    /// sample shape, overwritten).
    public func adjoint(_ y: Tensor, into x: Tensor) throws(TensorError) {
        let batch = try checkBatch(y, layer.outputSampleShape, "adjoint input")
        try x.checkShape([batch] + layer.inputSampleShape, "\(layer) adjoint output")
        sumOutputs(RealValue.self, of: y, batch: batch, table: adjointTable, fields: adjointFields, blocks: adjointBlocks,
                   weights: adjointWeight.current(layer.weight.value),
                   bias: nil, into: x)
    }

    /// dW += ∂⟨dy, A_W s⟩/∂W for binary s, [N] + input sample shape, and dy, [N] + output sample
    /// shape; dW has the weight's shape and layout.
    public func accumulateWeightGradient(spikes s: Tensor, outputGradient dy: Tensor, into dW: Tensor)
        throws(TensorError) {
        try accumulateWeightGradient(Spike.self, s, outputGradient: dy, into: dW)
    }

    /// dW += ∂⟨dy, A_W x⟩/∂W for x, [N] + input sample shape, most of whose entries are 0.
    public func accumulateWeightGradient(sparse x: Tensor, outputGradient dy: Tensor, into dW: Tensor)
        throws(TensorError) {
        try accumulateWeightGradient(RealValue.self, x, outputGradient: dy, into: dW)
    }

    /// out[n] = bias + Σ over the events (c, q, v) of operand[n] of v · W[c, k, :] through every
    /// pair (q, k) of each output pixel's receptive field; `table`, `fields`, `blocks` and `weights`
    /// are those of the forward (input-major) or the adjoint (output-major) map. Per sample, the
    /// events decide the kernel: where input pixels hold few events each, output-stationary
    /// (`sumOutputs`, each output written once); where they are crowded, input-stationary
    /// (`spreadEvents`, each pixel's events summed in one pass over its synapses' contiguous
    /// weights). Both add in the same order, so the choice never changes a bit.
    private func sumOutputs<Value: EventValue>(_: Value.Type, of operand: Tensor, batch: Int, table: SynapseTable,
                                               fields: ReceptiveFieldTable, blocks: ChannelBlocks, weights: Tensor,
                                               bias: Tensor?, into out: Tensor) {
        let inputSize = fields.inputChannels * fields.inputPixels, outputSize = fields.outputChannels * fields.outputPixels
        let termCount = min(fields.pairCount, Self.termBudget + 8 * fields.largestField) * fields.inputChannels
        let crowdedPixel = crowdedPixel
        forEachSample(batch) { b, workspace in
            let events = workspace.eventsByPixel(operand.pointer + b * inputSize, channels: fields.inputChannels,
                                                 pixels: fields.inputPixels, stride: fields.taps,
                                                 keepsValues: Value.carriesValues)
            if events.perActivePixel(fields.inputPixels) >= crowdedPixel {
                Self.spreadEvents(Value.self, events: events, table: table, blocks: blocks, weights: weights.pointer,
                                  bias: bias?.pointer, rows: workspace.rows(fields.outputPixels * blocks.width),
                                  into: out.pointer + b * outputSize)
            } else {
                Self.sumOutputs(Value.self, events: events, fields: fields, blocks: blocks, weights: weights.pointer,
                                bias: bias?.pointer, terms: workspace.terms(termCount, pixels: fields.outputPixels),
                                tile: workspace.tile(channels: blocks.width),
                                into: out.pointer + b * outputSize)
            }
        }
    }

    private func accumulateWeightGradient<Value: EventValue>(_: Value.Type, _ s: Tensor, outputGradient dy: Tensor,
                                                             into dW: Tensor) throws(TensorError) {
        let batch = try checkBatch(s, layer.inputSampleShape, Value.carriesValues ? "sparse input" : "spike input")
        try dy.checkShape([batch] + layer.outputSampleShape, "\(layer) output gradient")
        try dW.checkShape(layer.weight.shape, "\(layer) weight gradient")
        let table = forwardTable, blocks = gradientBlocks
        let workers = forEachGroup(batch, size: blocks.samplesPerGroup, prepare: { workspace in
            workspace.weightGradient(count: dW.count).update(repeating: 0, count: dW.count)
        }) { samples, workspace in
            // The group's output gradients in the blocked layout [block, pixel, channel in block],
            // which for one pixel is the NCHW layout itself.
            var rows = UnsafePointer(dy.pointer + samples.lowerBound * table.outputSize)
            if table.outputPixels > 1 {
                let buffer = workspace.rows(samples.count * table.outputSize)
                for (g, b) in samples.enumerated() {
                    blocks.writeBlockedRows(dy.pointer + b * table.outputSize, into: buffer + g * table.outputSize)
                }
                rows = UnsafePointer(buffer)
            }
            let events = workspace.eventsByChannel(s.pointer + samples.lowerBound * table.inputSize,
                                                   samples: samples.count, channels: table.inputChannels,
                                                   pixels: table.inputPixels, keepsValues: Value.carriesValues)
            Self.spread(Value.self, rows, samples: samples.count, events: events, table: table, blocks: blocks,
                        into: workspace.weightGradient(count: dW.count))
        }
        gradientIndex.withUnsafeBufferPointer { index in
            for w in 0..<workers {
                let partial = workspaces[w].weightGradient(count: dW.count)
                for j in 0..<dW.count { dW.pointer[Int(index[j])] += partial[j] }
            }
        }
    }

    // MARK: Kernels

    /// The terms one chunk of output pixels lists before `sumOutputs` sums it: 8,192 weight rows'
    /// offsets and values, 64 KB, which stay in the L2 cache beside a block's weight rows. Listing a
    /// whole sample's terms at once would stream them through memory and evict the weights where
    /// inputs are dense (MNIST's feedback layer at 15 %: 1.5 MB per sample).
    static let termBudget = 8192

    /// One sample of `sumOutputs`, chunk by chunk of output pixels. A chunk's terms are listed first,
    /// tile by tile of 8 pixels until they pass `termBudget`, in the order input pixel, channel:
    /// terms.start[p]..<terms.start[p + 1], each a weight row c · taps + k and a value. Then block by
    /// block of output channels (`ChannelBlocks`: a block's weight rows stay in the L2 cache while
    /// the chunk's pixels read them), 8 pixels at a time:
    /// tile[p mod 8, :] = initial[block] + Σ_terms value · W_block[row, :], transposed into the
    /// NCHW output [channels, pixels] when the 8 pixels are done.
    private static func sumOutputs<Value: EventValue>(
        _: Value.Type, events: PixelEvents, fields: ReceptiveFieldTable, blocks: ChannelBlocks,
        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, terms: Terms, tile: UnsafeMutablePointer<Float>,
        into out: UnsafeMutablePointer<Float>) {
        let pixels = fields.outputPixels
        var chunkStart = 0
        while chunkStart < pixels {
            let chunkEnd = listTerms(Value.self, events: events, fields: fields, from: chunkStart, into: terms)
            blocks.forEach { block, width in
                var first = chunkStart
                while first < chunkEnd {
                    let tileSize = min(8, chunkEnd - first)
                    // A single output pixel is its own NCHW sample.
                    let rows = pixels == 1 ? out + block : tile
                    for i in 0..<tileSize {
                        let p = first + i, from = Int(terms.start[p])
                        sum(Value.self, weights + block * blocks.rows, rowLength: width, terms: terms.offsets + from,
                            values: terms.values + from, count: Int(terms.start[p + 1]) - from,
                            initial: bias.map { $0 + block }, into: rows + i * width, length: width)
                    }
                    if pixels > 1 {
                        TileTransposition.transpose(tile, rows: tileSize, columns: width, sourceStride: width,
                                                    into: out + block * pixels + first, targetStride: pixels)
                    }
                    first += 8
                }
            }
            chunkStart = chunkEnd
        }
    }

    /// One sample of `sumOutputs` input-stationary: block by block of output channels, the rows
    /// [output pixel, channel in block] start at the bias; for each input pixel q with events and
    /// each run (p, k, n) of q, rows[p…p+n, :] += Σ_events value · W_block[c, k…k+n, :], one pass
    /// in registers over the run's n × width contiguous entries for all of q's events; the rows
    /// go to NCHW by 8 × 8 transpositions.
    private static func spreadEvents<Value: EventValue>(
        _: Value.Type, events: PixelEvents, table: SynapseTable, blocks: ChannelBlocks, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, rows: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let pixels = table.outputPixels
        table.runStart.withUnsafeBufferPointer { starts in
            table.tap.withUnsafeBufferPointer { taps in
                table.outputPixel.withUnsafeBufferPointer { outputPixels in
                    table.length.withUnsafeBufferPointer { lengths in
                        blocks.forEach { block, width in
                            for p in 0..<pixels {
                                if let bias {
                                    (rows + p * width).update(from: bias + block, count: width)
                                } else {
                                    (rows + p * width).update(repeating: 0, count: width)
                                }
                            }
                            let blockWeights = weights + block * blocks.rows
                            for q in 0..<table.inputPixels {
                                let count = Int(events.counts[q])
                                guard count > 0 else { continue }
                                let slot = q * events.capacity
                                for run in starts[q]..<starts[q + 1] {
                                    let target = rows + outputPixels[run] * width
                                    sum(Value.self, blockWeights + taps[run] * width, rowLength: width,
                                        terms: events.offsets + slot, values: events.values + slot, count: count,
                                        initial: UnsafePointer(target), into: target, length: lengths[run] * width)
                                }
                            }
                            TileTransposition.transpose(rows, rows: pixels, columns: width, sourceStride: width,
                                                        into: out + block * pixels, targetStride: pixels)
                        }
                    }
                }
            }
        }
    }

    /// Lists the terms of output pixels from `first` (a multiple of 8), tile by tile of 8 pixels,
    /// until they pass `termBudget` or the pixels end; returns the end of the chunk. Terms are
    /// counted from the chunk's start, so the buffer needs `termBudget` plus one tile's largest
    /// count, 8 · `largestField` · input channels.
    private static func listTerms<Value: EventValue>(_: Value.Type, events: PixelEvents, fields: ReceptiveFieldTable,
                                                     from first: Int, into terms: Terms) -> Int {
        let pixels = fields.outputPixels
        var p = first, count = 0
        fields.start.withUnsafeBufferPointer { start in
            fields.inputPixel.withUnsafeBufferPointer { inputPixel in
                fields.tap.withUnsafeBufferPointer { tap in
                    repeat {
                        for _ in 0..<min(8, pixels - p) {
                            terms.start[p] = Int32(count)
                            for f in start[p]..<start[p + 1] {
                                let q = inputPixel[f], n = Int(events.counts[q])
                                let base = Int32(tap[f]), slot = q * events.capacity
                                for e in 0..<n {
                                    terms.offsets[count + e] = base + events.offsets[slot + e]
                                    if Value.carriesValues { terms.values[count + e] = events.values[slot + e] }
                                }
                                count += n
                            }
                            p += 1
                        }
                    } while p < pixels && count < termBudget
                }
            }
        }
        terms.start[p] = Int32(count)
        return p
    }

    /// target[0..<length] = initial[0..<length] (0 when nil) + Σ_e values[e] · source[terms[e] · rowLength + 0..<length]
    /// (values 1 for spikes), 64 lanes at a time in registers, then 32, 8 and 1.
    @inline(__always)
    private static func sum<Value: EventValue>(_: Value.Type, _ source: UnsafePointer<Float>, rowLength: Int,
                                               terms: UnsafePointer<Int32>, values: UnsafePointer<Float>, count: Int,
                                               initial: UnsafePointer<Float>?, into target: UnsafeMutablePointer<Float>,
                                               length: Int) {
        func start<V: SIMD>(_ j: Int) -> V where V.Scalar == Float { initial.map { ($0 + j).vector() } ?? V() }
        var j = 0
        while j + 64 <= length {
            var a: SIMD16<Float> = start(j), b: SIMD16<Float> = start(j + 16)
            var c: SIMD16<Float> = start(j + 32), d: SIMD16<Float> = start(j + 48)
            for e in 0..<count {
                let row = source + Int(terms[e]) &* rowLength + j, v = values[e]
                Value.add(&a, row.vector(), v)
                Value.add(&b, (row + 16).vector(), v)
                Value.add(&c, (row + 32).vector(), v)
                Value.add(&d, (row + 48).vector(), v)
            }
            (target + j).store(a)
            (target + j + 16).store(b)
            (target + j + 32).store(c)
            (target + j + 48).store(d)
            j += 64
        }
        while j + 32 <= length {
            var a: SIMD16<Float> = start(j), b: SIMD16<Float> = start(j + 16)
            for e in 0..<count {
                let row = source + Int(terms[e]) &* rowLength + j, v = values[e]
                Value.add(&a, row.vector(), v)
                Value.add(&b, (row + 16).vector(), v)
            }
            (target + j).store(a)
            (target + j + 16).store(b)
            j += 32
        }
        while j + 8 <= length {
            var a: SIMD8<Float> = start(j)
            for e in 0..<count { Value.add(&a, (source + Int(terms[e]) &* rowLength + j).vector(), values[e]) }
            (target + j).store(a)
            j += 8
        }
        while j < length {
            var a = initial?[j] ?? 0
            for e in 0..<count { Value.add(&a, source[Int(terms[e]) &* rowLength + j], values[e]) }
            target[j] = a
            j += 1
        }
    }

    /// The weight gradient's scatter for a group of samples, in the blocked layouts: block by block
    /// of output channels, channel by channel (one channel's gradient block stays in L1 across the
    /// group), sample by sample, for each run (p, k, n) of each event (c, q, v):
    /// dW_block[c, k…k+n, :] += v · rows_sample,block[p…p+n, :] (v 1 for spikes).
    private static func spread<Value: EventValue>(_: Value.Type, _ rows: UnsafePointer<Float>, samples: Int,
                                                  events: ChannelEvents, table: SynapseTable, blocks: ChannelBlocks,
                                                  into gradient: UnsafeMutablePointer<Float>) {
        table.runStart.withUnsafeBufferPointer { starts in
            table.tap.withUnsafeBufferPointer { taps in
                table.outputPixel.withUnsafeBufferPointer { pixels in
                    table.length.withUnsafeBufferPointer { lengths in
                        blocks.forEach { block, width in
                            let gradientBlock = gradient + block * blocks.rows
                            let rowsBlock = rows + block * table.outputPixels
                            for c in 0..<table.inputChannels {
                                let channel = gradientBlock + c * table.taps * width
                                for g in 0..<samples {
                                    let start = events.start + g * (table.inputChannels + 1)
                                    let sampleRows = rowsBlock + g * table.outputSize
                                    for e in Int(start[c])..<Int(start[c + 1]) {
                                        let q = Int(events.pixels[e]), v = events.values[e]
                                        for run in starts[q]..<starts[q + 1] {
                                            Value.add(channel + taps[run] * width, sampleRows + pixels[run] * width, v,
                                                      count: lengths[run] * width)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Plumbing

    private func checkBatch(_ x: Tensor, _ sampleShape: [Int], _ role: String) throws(TensorError) -> Int {
        let batch = x.shape.first ?? 0
        try x.checkShape([batch] + sampleShape, "\(layer) \(role)")
        return batch
    }

    /// Runs `body(sample, workspace)` for every sample, split across workers.
    private func forEachSample(_ batch: Int, _ body: (Int, EventWorkspace) -> Void) {
        forEachGroup(batch, size: 1) { samples, workspace in body(samples.lowerBound, workspace) }
    }

    /// Runs `body(samples, workspace)` for consecutive groups of at most `size` samples, split
    /// across workers (each worker's chunk of the batch in groups from its start); returns the
    /// worker count.
    @discardableResult
    private func forEachGroup(_ batch: Int, size: Int, prepare: (EventWorkspace) -> Void = { _ in },
                              _ body: (Range<Int>, EventWorkspace) -> Void) -> Int {
        let workers = Parallel.workers(for: batch)
        while workspaces.count < workers { workspaces.append(EventWorkspace()) }
        for w in 0..<workers { prepare(workspaces[w]) }
        Parallel.forEachWorkerChunk(batch, workers: workers) { worker, samples in
            for first in stride(from: samples.lowerBound, to: samples.upperBound, by: size) {
                body(first..<min(first + size, samples.upperBound), workspaces[worker])
            }
        }
        return workers
    }
}

/// A copy of the layer's weight in the layout a product reads: copy[j] = weight[index[j]],
/// refreshed at the first use after the weight changed (`isCurrent` false).
private final class RelaidWeight {
    let index: [Int32]
    let copy: Tensor
    var isCurrent = false

    init(index: [Int32]) {
        self.index = index
        copy = Tensor(zeros: [index.count])
    }

    /// The copy of `weight`, refreshed when stale.
    func current(_ weight: Tensor) -> Tensor {
        if !isCurrent {
            let w = weight.pointer, r = copy.pointer
            index.withUnsafeBufferPointer { index in
                for j in 0..<index.count { r[j] = w[Int(index[j])] }
            }
            isCurrent = true
        }
        return copy
    }
}

/// The blocks of output channels in which `sumOutputs` reads an input-major weight
/// [rows = input channel · taps + tap, output channel]: block j₀ holds the channels j₀..<j₀ + width
/// (the last one the rest) of every row, stored contiguously from j₀ · rows with rows of the
/// block's width. A block is what one pass over the output pixels reads: 221 KB for AlexNet-F's
/// L2 (96 × 9 rows, 64 channels), which stays in a 512 KB L2 cache; in the unblocked layout the
/// same slices lie at a stride of a power of two and share a quarter of the cache's sets.
private struct ChannelBlocks {
    let rows: Int
    let channels: Int
    let pixels: Int
    /// The output channels of a block: 64, the register block of `sum`; all of them for a layer of
    /// one output pixel (fully connected), whose one pass reads each weight row once anyway, and
    /// for the weight gradients where they fit (`init(gradientOf:)`).
    private(set) var width: Int

    init(_ fields: ReceptiveFieldTable) {
        rows = fields.inputChannels * fields.taps
        channels = fields.outputChannels
        pixels = fields.outputPixels
        width = pixels == 1 ? channels : 64
    }

    /// The weight gradients' blocks: all output channels where one sample's output gradients of all
    /// channels (pixels × channels) fit the group budget, so that an event's rows are added in one
    /// long run per synapse; blocks of 64 where they do not (AlexNet-F's L2, 256 channels of 16 × 16).
    init(gradientOf fields: ReceptiveFieldTable) {
        self.init(fields)
        if pixels * channels * MemoryLayout<Float>.size <= Self.groupBudget { width = channels }
    }

    /// The bytes of output gradients a weight gradient's group of samples holds in one block:
    /// half of a 512 KB L2 cache.
    static let groupBudget = 256 << 10

    /// Calls `body(first channel, width)` for each block in order.
    func forEach(_ body: (Int, Int) -> Void) {
        for block in stride(from: 0, to: channels, by: width) { body(block, min(width, channels - block)) }
    }

    /// Samples whose blocked output gradients a weight gradient's group holds: as many as keep one
    /// block of them (pixels × width channels each) within 256 KB of the L2 cache, 1 to 8.
    var samplesPerGroup: Int { max(1, min(8, Self.groupBudget / (pixels * width * MemoryLayout<Float>.size))) }

    /// One NCHW sample [channels, pixels] in the blocked channels-last layout [block, pixel, channel
    /// in block] (`rows` has channels · pixels elements).
    func writeBlockedRows(_ sample: UnsafePointer<Float>, into rows: UnsafeMutablePointer<Float>) {
        forEach { block, width in
            TileTransposition.transpose(sample + block * pixels, rows: width, columns: pixels, sourceStride: pixels,
                                        into: rows + block * pixels, targetStride: width)
        }
    }

    /// The entries of an input-major layout, `inputMajor`, in the blocked order.
    func blocked<Entry>(_ inputMajor: [Entry]) -> [Entry] {
        var result: [Entry] = []
        result.reserveCapacity(inputMajor.count)
        forEach { block, width in
            for row in 0..<rows {
                result.append(contentsOf: inputMajor[(row * channels + block)..<(row * channels + block + width)])
            }
        }
        return result
    }
}

/// How an event's value enters the products: a spike adds its synapses' weights, a real value
/// adds value × weights (fused multiply–adds). Generic kernels specialise on it.
private protocol EventValue {
    /// Whether events have values other than 1.
    static var carriesValues: Bool { get }
    static func add<V: SIMD>(_ sum: inout V, _ weights: V, _ value: Float) where V.Scalar == Float
    static func add(_ sum: inout Float, _ weight: Float, _ value: Float)
    /// target[0..<count] += value · source[0..<count].
    static func add(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ value: Float, count: Int)
}

private enum Spike: EventValue {
    static var carriesValues: Bool { false }
    @inline(__always) static func add<V: SIMD>(_ sum: inout V, _ weights: V, _: Float) where V.Scalar == Float {
        sum += weights
    }
    @inline(__always) static func add(_ sum: inout Float, _ weight: Float, _: Float) { sum += weight }
    @inline(__always) static func add(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _: Float,
                                      count: Int) {
        VectorKernels.add(target, source, count)
    }
}

private enum RealValue: EventValue {
    static var carriesValues: Bool { true }
    @inline(__always) static func add<V: SIMD>(_ sum: inout V, _ weights: V, _ value: Float) where V.Scalar == Float {
        sum.addProduct(V(repeating: value), weights)
    }
    @inline(__always) static func add(_ sum: inout Float, _ weight: Float, _ value: Float) {
        sum.addProduct(value, weight)
    }
    @inline(__always) static func add(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>,
                                      _ value: Float, count: Int) {
        VectorKernels.axpy(target, value, source, count)
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
        let events = density < crossovers.forward
        try ProductProfile.shared.measure(self, "forward", eventDriven: events, density: density) { () throws(TensorError) in
            if events { try forward(spikes: s, into: y) } else { try layer.forward(s, into: y) }
        }
    }

    /// y = A_W x + b for x of which a fraction `density` is not 0.
    public func forward(sparse x: Tensor, density: Float, into y: Tensor) throws(TensorError) {
        let events = density < crossovers.sparseForward
        try ProductProfile.shared.measure(self, "forward of rates", eventDriven: events, density: density) {
            () throws(TensorError) in
            if events { try forward(sparse: x, into: y) } else { try layer.forward(x, into: y) }
        }
    }

    /// x = A_Wᵀ y for y of which a fraction `density` is not 0.
    public func adjoint(_ y: Tensor, density: Float, into x: Tensor) throws(TensorError) {
        let events = density < crossovers.adjoint
        try ProductProfile.shared.measure(self, "adjoint", eventDriven: events, density: density) { () throws(TensorError) in
            if events {
                try adjoint(y, into: x)
            } else {
                try layer.applyTransposed(weight: layer.weight.value, to: y, into: x)
            }
        }
    }

    /// dW += dy ⊗ s for binary s of which a fraction `density` is 1.
    public func accumulateWeightGradient(spikes s: Tensor, density: Float, outputGradient dy: Tensor, into dW: Tensor)
        throws(TensorError) {
        try accumulateWeightGradient(Spike.self, s, density: density, crossover: crossovers.weightGradient,
                                     product: "weight gradient", outputGradient: dy, into: dW)
    }

    /// dW += dy ⊗ x for x of which a fraction `density` is not 0.
    public func accumulateWeightGradient(sparse x: Tensor, density: Float, outputGradient dy: Tensor, into dW: Tensor)
        throws(TensorError) {
        try accumulateWeightGradient(RealValue.self, x, density: density, crossover: crossovers.sparseWeightGradient,
                                     product: "weight gradient at rates", outputGradient: dy, into: dW)
    }

    private func accumulateWeightGradient<Value: EventValue>(_: Value.Type, _ x: Tensor, density: Float, crossover: Float,
                                                             product: String, outputGradient dy: Tensor, into dW: Tensor)
        throws(TensorError) {
        let events = density < crossover
        try ProductProfile.shared.measure(self, product, eventDriven: events, density: density) { () throws(TensorError) in
            if events {
                try accumulateWeightGradient(Value.self, x, outputGradient: dy, into: dW)
            } else {
                try layer.accumulateWeightGradient(input: x, outputGradient: dy, into: dW)
            }
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

extension SynapseTable {
    var inputSize: Int { inputChannels * inputPixels }
    var outputSize: Int { outputChannels * outputPixels }
}

