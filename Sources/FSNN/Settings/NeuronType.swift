/// The neuron model as files and the command line name it: `if` or `lif` (spec §2.1–2.2); a
/// LIF neuron's leak λ is the separate setting `neuron.lambda`.
public enum NeuronType: String, CaseIterable, Codable, Sendable {
    case integrateAndFire = "if"
    case leaky = "lif"
}
