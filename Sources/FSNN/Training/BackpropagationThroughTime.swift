import Tensor

/// STBP (spec §10): BPTT through the stored T steps with a surrogate spike derivative.
public struct BackpropagationThroughTime: GradientStrategy {
    public let surrogate: SpikeSurrogate

    public init(surrogate: SpikeSurrogate) {
        self.surrogate = surrogate
    }

    public func simulate(_ network: FeedbackNetwork, _ batch: NetworkInput) throws -> Simulation {
        try network.simulateRecordingHistory(batch, surrogate: surrogate)
    }

    public func backward(_ network: FeedbackNetwork, _ batch: NetworkInput, simulation: Simulation, rate: Tensor,
                         rateGradient: Tensor, timing: inout StepTiming) throws -> BackwardResult {
        guard let history = simulation.history else {
            throw NetworkError.backwardWithoutForward("backwardThroughTime without a recorded simulation")
        }
        var clock = LapTimer()
        try network.backwardThroughTime(history, rateGradient: rateGradient)
        timing.parameterGradient += clock.lap()
        return BackwardResult(solver: nil, linearization: nil)
    }
}
