import Layers
import Tensor

/// What a simulation reports (spec §2.5, §2.6).
public struct Simulation {
    /// Rate a[T] of the output population (the classifier's input and the fixed-point variable),
    /// [B] + output shape. Owned by the network and overwritten by its next simulation.
    public let outputRate: Tensor
    /// Spikes emitted per spiking layer (layer 1 first) during the T steps, summed over the batch.
    public let spikeCounts: [Double]
    /// ‖f(a[t]) − a[t]‖ / ‖a[t]‖ over the batch for t = 1…T, when requested (the convergence figure).
    public let residualTrace: [Float]?
}

/// A feedback spiking network: the simulator, the equilibrium map f with its two VJPs for IDE,
/// and the per-step VJPs for STBP, all over the same layer objects (spec §2–§4, §10).
///
/// Call order per training batch: `prepare` → `simulate` → (IDE) `applyEquilibriumMap` →
/// `jacobianTransposeProduct`… → `backwardEquilibriumMap`, or (STBP) `simulate(…recordingHistory)`
/// → `backwardThroughTime`.
public protocol FeedbackNetwork: ParameterContainer {
    var neuron: NeuronModel { get }
    var threshold: Float { get }
    var timeSteps: Int { get }
    var quirks: Set<Quirk> { get }
    /// Readout on the flattened output rate (spec §5).
    var classifier: Linear { get }
    /// Shape of one sample of the output population; D = its element count.
    var outputShape: [Int] { get }
    /// Spiking neurons per sample in each layer (layer 1 first).
    var layerSizes: [Int] { get }
    /// Synaptic operations caused per spike of each layer's neurons, on average over the layer
    /// (its outgoing synapses: the next layer's and the feedback connection's fan-out).
    var synapsesPerSpike: [Double] { get }

    /// Per-batch state: dropout masks, spectral power iteration, W_eff (spec §4.10 step 1).
    func prepare(batchSize: Int, phase: Phase, generator: inout RandomGenerator) throws
    /// Runs T steps without keeping history (memory independent of T).
    func simulate(_ input: NetworkInput, phase: Phase, traceResidual: Bool) throws -> Simulation

    /// The training-mode application z = f(a; x̄) at the simulated rate a (spec §4.2 step 4),
    /// updating BN running statistics, followed by the Jacobian's linearisation point (step 5).
    func applyEquilibriumMap(at rate: Tensor, input: NetworkInput) throws
    /// out = Jᵀv for v, out: [B, D] (spec §4.7; loop BN in evaluation mode).
    func jacobianTransposeProduct(_ v: Tensor, into out: Tensor) throws
    /// Accumulates β ∂f/∂θ into the parameter gradients (spec §4.7; train-mode BN).
    func backwardEquilibriumMap(_ beta: Tensor) throws

    /// STBP: simulate while storing, per step, what `backwardThroughTime` needs.
    func simulateRecordingHistory(_ input: NetworkInput, surrogate: SpikeSurrogate) throws -> Simulation
    /// STBP: back-propagates ∂L/∂a[T] through the stored T steps into the parameter gradients.
    func backwardThroughTime(rateGradient: Tensor) throws
}

/// Firing rate per layer, spikes / (neurons × T × samples) (spec §9.4 with the true sample count).
public func firingRates(spikeCounts: [Double], layerSizes: [Int], timeSteps: Int, samples: Int) -> [Double] {
    zip(spikeCounts, layerSizes).map { $0 / (Double($1) * Double(timeSteps) * Double(max(samples, 1))) }
}

extension FeedbackNetwork {
    /// D, the fixed-point dimension per sample.
    public var outputDimension: Int { outputShape.reduce(1, *) }

    public func has(_ quirk: Quirk) -> Bool { quirks.contains(quirk) }

    /// Λ_T of this network's neuron for T steps.
    var rateNormaliser: Float { SpikingPopulation.normaliser(neuron: neuron, steps: timeSteps) }
}

/// Element-wise pieces of the map f shared by the topologies: σ(p) = clamp(p, 0, 1) with
/// p = (mask ⊙ feedback + current)/V_th, and its derivative mask D = 1[0 < p < 1] (spec §4.6:
/// derivative 0 at exactly 0 and 1).
enum EquilibriumKernels {
    /// out = clamp((mask ⊙ feedback + current)/V_th, 0, 1); active = 1[0 < p < 1] when given.
    static func clampedMap(feedback: Tensor?, mask: Tensor?, current: Tensor, threshold: Float,
                           into out: Tensor, active: Tensor?) {
        let n = out.count, scale = 1 / threshold
        let o = out.pointer, c = current.pointer
        let f = feedback?.pointer, m = mask?.pointer, d = active?.pointer
        for i in 0..<n {
            var p = c[i]
            if let f { p += (m.map { $0[i] } ?? 1) * f[i] }
            p *= scale
            d?[i] = (p > 0 && p < 1) ? 1 : 0
            o[i] = min(max(p, 0), 1)
        }
    }

    /// out = D ⊙ mask ⊙ v / V_th (the VJP through clamp, 1/V_th and the dropout mask).
    static func maskedGradient(_ v: Tensor, active: Tensor, mask: Tensor?, threshold: Float, into out: Tensor) {
        let n = out.count, scale = 1 / threshold
        let o = out.pointer, x = v.pointer, d = active.pointer
        if let m = mask?.pointer {
            for i in 0..<n { o[i] = x[i] * d[i] * m[i] * scale }
        } else {
            for i in 0..<n { o[i] = x[i] * d[i] * scale }
        }
    }

    /// ‖a − b‖ / ‖b‖ over all elements (0 when both vanish).
    static func relativeDistance(_ a: Tensor, _ b: Tensor) -> Float {
        var difference: Float = 0
        for i in 0..<a.count {
            let delta = a.pointer[i] - b.pointer[i]
            difference += delta * delta
        }
        let reference = b.norm()
        return reference > 0 ? difference.squareRoot() / reference : difference.squareRoot()
    }
}

/// Mean number of synapses one spike of an input neuron drives through `map` (its fan-out,
/// counted exactly by applying Aᵀ with unit weights to a unit output).
func meanFanOut(of map: any LinearMap) -> Double {
    let ones = Tensor(repeating: 1, shape: map.weight.shape)
    let output = Tensor(repeating: 1, shape: [1] + map.outputSampleShape)
    let fanOut = Tensor(zeros: [1] + map.inputSampleShape)
    do {
        try map.applyTransposed(weight: ones, to: output, into: fanOut)
    } catch {
        preconditionFailure("fan-out of \(map): \(error)")
    }
    return Double(fanOut.sum()) / Double(fanOut.count)
}
