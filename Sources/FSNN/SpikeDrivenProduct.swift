import Layers
import Tensor

/// A layer's forward pass y = A_W s + b for a binary spike tensor s, computed the way a spiking
/// network does it: every spike adds the weights of its outgoing synapses to the outputs it
/// reaches, so the cost is proportional to the number of spikes instead of the number of inputs
/// (spec §2: s ∈ {0, 1}). For the sparse activity of trained networks this is several times
/// cheaper than the dense product; at or above `densityLimit` the layer's dense forward (BLAS)
/// runs instead. The result equals `layer.forward` up to the order of the Float32 sums.
///
/// Works for every `AffineLayer` through its `SynapseTable`: for every input pixel, the runs of
/// (output pixel, kernel tap) pairs it reaches, where a run is consecutive output pixels met by
/// consecutive taps. The weight is re-laid out once per weight change as [input channel, tap,
/// output channel], so a spike's contribution to a run is one contiguous block — a stride-1 5×5
/// convolution adds 5 blocks of 5 × O floats per spike instead of 25 blocks of O. Outputs
/// accumulate channels-last and are transposed to NCHW per sample. Samples are split across
/// `Parallel` workers.
public final class SpikeDrivenProduct {
    public let layer: any AffineLayer
    /// Use the dense product when the fraction of active inputs is at or above this. The default
    /// is the crossover `fsnn bench ops` measures on this project's machines with two cores: the
    /// spike-driven forward overtakes the dense product below about 0.08 for a fully connected
    /// 400→400 layer (whose sgemm is cheap) and about 0.2 for the paper's convolutions.
    public var densityLimit: Float

    private let table: SynapseTable
    /// The weight as [input channel, tap, output channel].
    private let relaid: Tensor
    /// One channels-last output [outputPixels, outputChannels] per worker.
    private var workerOutputs: [Tensor] = []

    public init(layer: any AffineLayer) {
        self.layer = layer
        table = layer.synapseTable
        densityLimit = table.isFullyConnected ? 0.08 : 0.2
        relaid = Tensor(zeros: [table.inputChannels, table.taps, table.outputChannels])
    }

    /// Marks the re-laid weight out of date; call whenever the layer's weight changes (once per
    /// batch). The weight is read at the next spike-driven forward, so a batch that only takes the
    /// dense path never pays for the re-layout.
    public func prepare() {
        relaidIsCurrent = false
    }

    private var relaidIsCurrent = false

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
            layer.writeInputMajorWeight(into: relaid)
            relaidIsCurrent = true
        }
        let workers = Parallel.workers(for: batch)
        let (outputPixels, outputChannels) = (table.outputPixels, table.outputChannels)
        while workerOutputs.count < workers { workerOutputs.append(Tensor(zeros: [outputPixels, outputChannels])) }
        let inputSize = table.inputChannels * table.inputPixels, outputSize = outputChannels * outputPixels
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
        let co = table.outputChannels, t = table.taps, inputPixels = table.inputPixels
        let r = relaid.pointer
        table.runStart.withUnsafeBufferPointer { starts in
            table.tap.withUnsafeBufferPointer { tapOf in
                table.outputPixel.withUnsafeBufferPointer { pixelOf in
                    table.length.withUnsafeBufferPointer { lengthOf in
                        for c in 0..<table.inputChannels {
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
