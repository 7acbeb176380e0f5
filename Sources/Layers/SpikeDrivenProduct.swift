import Tensor

/// A layer's forward pass y = A_W s + b for a binary spike tensor s, computed the way a spiking
/// network does it: every spike adds the weights of its outgoing synapses to the outputs it
/// reaches, so the cost is proportional to the number of spikes instead of the number of inputs
/// (spec §2: s ∈ {0, 1}). For the sparse activity of trained networks this is several times
/// cheaper than the dense product; at or above `densityLimit` the layer's dense forward (BLAS)
/// runs instead. The result equals `layer.forward` up to the order of the Float32 sums.
///
/// Works for `Linear`, `Conv2d` and `ConvTranspose2d` through one table: for every input pixel,
/// the runs of (output pixel, kernel tap) pairs it reaches, where a run is consecutive output
/// pixels met by consecutive taps. The weight is re-laid out once per weight change as
/// [input channel, tap, output channel] (a convolution's taps mirrored along x, so that its runs
/// read the weight forwards), so a spike's contribution to a run is one contiguous block — a
/// stride-1 5×5 convolution adds 5 blocks of 5 × O floats per spike instead of 25 blocks of O.
/// Outputs accumulate channels-last and are transposed to NCHW per sample. Samples are split
/// across `Parallel` workers.
public final class SpikeDrivenProduct {
    public let layer: any AffineLayer
    /// Use the dense product when the fraction of active inputs is at or above this. The default
    /// is the crossover `fsnn bench ops` measures on this project's machines with two cores: the
    /// spike-driven forward overtakes the dense product below about 0.08 for `Linear` 400→400
    /// (whose sgemm is cheap) and about 0.2 for the paper's convolutions.
    public var densityLimit: Float

    private let inputChannels: Int
    private let inputPixels: Int
    private let outputChannels: Int
    private let outputPixels: Int
    private let taps: Int
    /// Entries runStart[p]..<runStart[p+1] of the run arrays belong to input pixel p.
    private let runStart: [Int]
    private let runOutputPixel: [Int]
    private let runTap: [Int]
    private let runLength: [Int]
    /// The weight as [input channel, tap, output channel].
    private let relaid: Tensor
    /// One channels-last output [outputPixels, outputChannels] per worker.
    private var workerOutputs: [Tensor] = []

    public init(layer: any AffineLayer) {
        self.layer = layer
        densityLimit = layer is Linear ? 0.08 : 0.2
        let table: SynapseTable
        switch layer {
        case let linear as Linear: table = .linear(linear)
        case let conv as Conv2d: table = .convolution(conv)
        case let transposed as ConvTranspose2d: table = .transposedConvolution(transposed)
        default: preconditionFailure("SpikeDrivenProduct supports Linear, Conv2d and ConvTranspose2d, not \(type(of: layer))")
        }
        inputChannels = table.inputChannels
        inputPixels = table.inputPixels
        outputChannels = table.outputChannels
        outputPixels = table.outputPixels
        taps = table.taps
        runStart = table.runStart
        runOutputPixel = table.outputPixel
        runTap = table.tap
        runLength = table.length
        relaid = Tensor(zeros: [inputChannels, taps, outputChannels])
    }

    /// Marks the re-laid weight out of date; call whenever the layer's weight changes (once per
    /// batch). The weight is read at the next spike-driven forward, so a batch that only takes the
    /// dense path never pays for the re-layout.
    public func prepare() {
        relaidIsCurrent = false
    }

    private var relaidIsCurrent = false

    /// relaid ← the layer's current weight as [input channel, tap, output channel].
    private func relayout() {
        let w = layer.weight.value.pointer, r = relaid.pointer
        let (ci, t, co) = (inputChannels, taps, outputChannels)
        switch layer {
        case is Linear:
            // [out, in] → [in, 1, out]
            for o in 0..<co { for i in 0..<ci { r[i * co + o] = w[o * ci + i] } }
        case let conv as Conv2d:
            // OIHW [out, in, ky, kx] → [in, ky, kw − 1 − kx, out] (mirrored along x, see `SynapseTable`)
            let kw = conv.geometry.kernelWidth
            for o in 0..<co {
                for i in 0..<ci {
                    for k in 0..<t {
                        let mirrored = k - k % kw + (kw - 1 - k % kw)
                        r[(i * t + mirrored) * co + o] = w[(o * ci + i) * t + k]
                    }
                }
            }
        default:
            // IOHW [in, out, taps] → [in, taps, out]
            for i in 0..<ci { for o in 0..<co { for k in 0..<t { r[(i * t + k) * co + o] = w[(i * co + o) * t + k] } } }
        }
    }

    /// y = A_W s + b for binary s of shape [N] + input sample shape, with the weight as it was at
    /// the first spike-driven forward after the last `prepare`. `density` is the fraction of ones in s (the dense forward runs at or above
    /// `densityLimit`).
    public func forward(_ spikes: Tensor, into y: Tensor, density: Float) throws(TensorError) {
        guard density < densityLimit else {
            try layer.forward(spikes, into: y)
            return
        }
        let batch = spikes.shape.first ?? 0
        try spikes.checkShape([batch] + layer.inputSampleShape, "\(layer) spike input")
        try y.checkShape([batch] + layer.outputSampleShape, "\(layer) output")
        if !relaidIsCurrent {
            relayout()
            relaidIsCurrent = true
        }
        let workers = Parallel.workers(for: batch)
        while workerOutputs.count < workers { workerOutputs.append(Tensor(zeros: [outputPixels, outputChannels])) }
        let inputSize = inputChannels * inputPixels, outputSize = outputChannels * outputPixels
        let bias = layer.bias?.value
        Parallel.forEachWorkerChunk(batch) { worker, samples in
            let scratch = workerOutputs[worker].pointer
            for b in samples {
                for p in 0..<outputPixels {
                    let row = scratch + p * outputChannels
                    if let bias { row.update(from: bias.pointer, count: outputChannels) } else {
                        row.update(repeating: 0, count: outputChannels)
                    }
                }
                accumulate(spikes: spikes.pointer + b * inputSize, into: scratch)
                // channels-last → NCHW
                let target = y.pointer + b * outputSize
                for p in 0..<outputPixels {
                    for o in 0..<outputChannels { target[o * outputPixels + p] = scratch[p * outputChannels + o] }
                }
            }
        }
    }

    /// out[p'…p'+n, :] += W[c, k…k+n, :] over the spikes (c, p) and their runs (p', k, n).
    private func accumulate(spikes s: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let co = outputChannels, t = taps
        let r = relaid.pointer
        runStart.withUnsafeBufferPointer { starts in
            runTap.withUnsafeBufferPointer { tapOf in
                runOutputPixel.withUnsafeBufferPointer { pixelOf in
                    runLength.withUnsafeBufferPointer { lengthOf in
                        for c in 0..<inputChannels {
                            let plane = s + c * inputPixels, weights = r + c * t * co
                            for p in 0..<inputPixels where plane[p] != 0 {
                                for run in starts[p]..<starts[p + 1] {
                                    Self.add(weights + tapOf[run] * co, to: out + pixelOf[run] * co,
                                             count: lengthOf[run] * co)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension SpikeDrivenProduct {
    /// target[0..<count] += source[0..<count], eight lanes at a time (the two never overlap: the
    /// weight copy and the output scratch are separate buffers).
    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let sum = UnsafeRawPointer(target + i).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + i).storeBytes(of: sum, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            target[i] += source[i]
            i += 1
        }
    }
}

/// For every input pixel, the runs of output pixels it reaches: `outputPixel[r]` met through tap
/// `tap[r]`, and the next `length[r] − 1` pixels through the next taps (contiguous in the
/// channels-last output and in the re-laid weight).
private struct SynapseTable {
    let inputChannels, inputPixels, outputChannels, outputPixels, taps: Int
    var runStart: [Int] = [0]
    var outputPixel: [Int] = []
    var tap: [Int] = []
    var length: [Int] = []

    static func linear(_ layer: Linear) -> SynapseTable {
        var table = SynapseTable(inputChannels: layer.inputFeatures, inputPixels: 1, outputChannels: layer.outputFeatures,
                                 outputPixels: 1, taps: 1)
        table.add(outputPixel: 0, tap: 0)
        table.endPixel()
        return table
    }

    /// Conv2d: out[o, oy, ox] += W[o, c, ky, kx] · in[c, oy·s − p + ky, ox·s − p + kx]. Taps are
    /// numbered ky·kw + (kw − 1 − kx) and visited with kx descending, so that for stride 1 the
    /// output pixels of one kernel row come out consecutive.
    static func convolution(_ layer: Conv2d) -> SynapseTable {
        let g = layer.geometry
        var table = SynapseTable(inputChannels: g.channels, inputPixels: g.height * g.width,
                                 outputChannels: layer.outputChannels, outputPixels: g.outputPixels,
                                 taps: g.kernelHeight * g.kernelWidth)
        for iy in 0..<g.height {
            for ix in 0..<g.width {
                for ky in 0..<g.kernelHeight {
                    let (qy, ry) = (iy + g.padding - ky).quotientAndRemainder(dividingBy: g.stride)
                    guard iy + g.padding - ky >= 0, ry == 0, qy < g.outputHeight else { continue }
                    for kx in stride(from: g.kernelWidth - 1, through: 0, by: -1) {
                        let (qx, rx) = (ix + g.padding - kx).quotientAndRemainder(dividingBy: g.stride)
                        guard ix + g.padding - kx >= 0, rx == 0, qx < g.outputWidth else { continue }
                        table.add(outputPixel: qy * g.outputWidth + qx, tap: ky * g.kernelWidth + g.kernelWidth - 1 - kx)
                    }
                }
                table.endPixel()
            }
        }
        return table
    }

    /// ConvTranspose2d: out[o, iy·s − p + ky, ix·s − p + kx] += W[i, o, ky, kx] · in[i, iy, ix]
    /// (its output is its geometry's image, its input the geometry's output map).
    static func transposedConvolution(_ layer: ConvTranspose2d) -> SynapseTable {
        let g = layer.geometry
        var table = SynapseTable(inputChannels: layer.inputChannels, inputPixels: g.outputPixels,
                                 outputChannels: g.channels, outputPixels: g.height * g.width,
                                 taps: g.kernelHeight * g.kernelWidth)
        for iy in 0..<g.outputHeight {
            for ix in 0..<g.outputWidth {
                for ky in 0..<g.kernelHeight {
                    let oy = iy * g.stride - g.padding + ky
                    guard oy >= 0, oy < g.height else { continue }
                    for kx in 0..<g.kernelWidth {
                        let ox = ix * g.stride - g.padding + kx
                        guard ox >= 0, ox < g.width else { continue }
                        table.add(outputPixel: oy * g.width + ox, tap: ky * g.kernelWidth + kx)
                    }
                }
                table.endPixel()
            }
        }
        return table
    }

    /// Adds a pair, extending the current run when it continues it in memory (the next output
    /// pixel through the next tap).
    mutating func add(outputPixel pixel: Int, tap k: Int) {
        if outputPixel.count > runStart.last!, let last = outputPixel.indices.last,
           pixel == outputPixel[last] + length[last], k == tap[last] + length[last] {
            length[last] += 1
            return
        }
        outputPixel.append(pixel)
        tap.append(k)
        length.append(1)
    }

    /// Closes the runs of the current input pixel.
    mutating func endPixel() {
        runStart.append(outputPixel.count)
    }
}
