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
    /// What STBP's backward needs of the T steps, or every step's membranes for inspection, when
    /// the simulation recorded them.
    public let history: SimulationHistory?
}
