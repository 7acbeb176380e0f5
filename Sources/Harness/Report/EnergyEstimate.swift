import FSNN
import Tensor

/// Energy per test sample by the convention most SNN papers use (Horowitz, ISSCC 2014, 45 nm
/// CMOS, 32-bit float): 0.9 pJ per accumulate — a synaptic operation (SynOp, as NeuroBench names
/// it) driven by a spike — and 4.6 pJ per multiply–accumulate (MAC).
///
///     E_SNN = MACs(F₁) · 4.6 pJ + SynOps · 0.9 pJ     (the static input current is computed once)
///     E_ANN = (MACs(F₁) + MACs(F₂…F_L, W)) · 4.6 pJ   (the same structure applied once, densely)
///
/// Memory access, neuron updates and the classifier (the same in both) are not counted, so this
/// compares arithmetic only.
struct EnergyEstimate {
    static let picojoulesPerAccumulate = 0.9
    static let picojoulesPerMultiplyAccumulate = 4.6

    /// Per sample, in picojoules.
    let spiking: Double
    let artificial: Double

    /// nil for a network whose input is spikes: its input synapses' operations are not recorded.
    init?(synapticOperations: Double, costs: NetworkCosts) {
        guard !costs.spikeInput else { return nil }
        spiking = Double(costs.inputMultiplyAdds) * Self.picojoulesPerMultiplyAccumulate
            + synapticOperations * Self.picojoulesPerAccumulate
        artificial = Double(costs.inputMultiplyAdds + costs.hiddenMultiplyAdds) * Self.picojoulesPerMultiplyAccumulate
    }

    /// The multiply–adds of a zoo network, built once per model.
    struct NetworkCosts {
        let inputMultiplyAdds: Int
        let hiddenMultiplyAdds: Int
        let spikeInput: Bool

        /// The costs of `run`'s network, built from the zoo (its layers do not depend on T, the
        /// neuron or the quirks).
        static func of(_ run: ExperimentRun) -> NetworkCosts? {
            var generator = RandomGenerator(seed: 0)
            guard let network = try? ModelZoo.make(run.training, generator: &generator) else { return nil }
            return NetworkCosts(inputMultiplyAdds: network.inputMultiplyAdds, hiddenMultiplyAdds: network.hiddenMultiplyAdds,
                                spikeInput: ModelZoo.takesSpikes(run.training.model))
        }
    }
}
