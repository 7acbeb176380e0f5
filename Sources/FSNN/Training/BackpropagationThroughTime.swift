import Tensor

/// STBP (spec §10): the training simulation recording its T steps (`SimulationHistory`), the
/// readout on its rate, and BPTT through the stored steps with a surrogate spike derivative. Keeps
/// the last batch's simulation and the backward's buffers for the next batch of the same shape;
/// the history, which grows with T, lives for one batch.
public final class BackpropagationThroughTime: GradientStrategy {
    public let surrogate: SpikeSurrogate
    private var simulation: Simulation?
    private var buffers: BackpropagationBuffers?

    public init(surrogate: SpikeSurrogate) {
        self.surrogate = surrogate
    }

    public func computeGradients(_ network: FeedbackNetwork, batch: NetworkInput, labels: [Int],
                                 update: (() throws -> Void)?) throws -> GradientPass {
        var timing = StepTiming(), clock = LapTimer()
        let history = SimulationHistory(network: network, surrogate: surrogate, batchSize: batch.batchSize)
        let simulation = try network.simulateUnrolled(batch, into: &self.simulation, observing: [history])
        timing.simulate = clock.lap()
        let readout = try Readout(network: network, rate: simulation.outputRate, labels: labels, computeGradient: true)
        let buffers = self.buffers.fitted(batchSize: batch.batchSize) {
            BackpropagationBuffers(network: network, batchSize: batch.batchSize)
        }
        try network.backwardThroughTime(simulation, history: history, rateGradient: readout.rateGradient!,
                                        buffers: buffers)
        timing.parameterGradient += clock.lap()
        return GradientPass(readout: readout, simulation: simulation, timing: timing)
    }
}
