import Tensor

/// Stochastic gradient descent with momentum and L2 weight decay, as `torch.optim.SGD` with
/// dampening 0 and no Nesterov (spec §4.10 step 6). Per parameter θ with gradient g:
///
///     g' = g + wd·θ
///     v  = μ·v + g'      (v = g' on the first step)
///     θ -= lr·v
///
/// With μ = 0 no buffer is kept and θ -= lr·g'.
public final class SGD: Optimizer {
    /// The per-parameter state: momentum buffers by parameter name (PyTorch's "momentum_buffer"),
    /// present once a parameter has been stepped with μ > 0.
    public struct State: Codable, Equatable, Sendable {
        public var momentumBuffers: [String: [Float]]

        public init(momentumBuffers: [String: [Float]] = [:]) {
            self.momentumBuffers = momentumBuffers
        }
    }

    public var learningRate: Float
    /// μ
    public let momentum: Float
    /// wd
    public let weightDecay: Float
    private let parameters: NamedParameterList
    /// v per parameter, nil before its first step.
    private var buffers: [Tensor?]

    public init(
        parameters: [(name: String, parameter: Parameter)], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0
    ) throws(OptimizerError) {
        try OptimizerError.check(learningRate >= 0, "learning rate", learningRate, "≥ 0")
        try OptimizerError.check(momentum >= 0 && momentum < 1, "momentum", momentum, "in [0, 1)")
        try OptimizerError.check(weightDecay >= 0, "weight decay", weightDecay, "≥ 0")
        self.parameters = try NamedParameterList(parameters)
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        buffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        let (lr, mu, wd) = (learningRate, momentum, weightDecay)
        for (i, (_, parameter)) in parameters.entries.enumerated() {
            let theta = parameter.value.pointer, g = parameter.gradient.pointer, n = parameter.value.count
            guard mu > 0 else {
                for j in 0..<n { theta[j] -= lr * (g[j] + wd * theta[j]) }
                continue
            }
            // A zero buffer makes the first step v = μ·0 + g' = g' exactly.
            let buffer = buffers[i] ?? Tensor(zeros: parameter.shape)
            buffers[i] = buffer
            let v = buffer.pointer
            for j in 0..<n {
                v[j] = mu * v[j] + (g[j] + wd * theta[j])
                theta[j] -= lr * v[j]
            }
        }
    }

    public var state: State {
        var momentumBuffers: [String: [Float]] = [:]
        for ((name, _), buffer) in zip(parameters.entries, buffers) {
            if let buffer { momentumBuffers[name] = buffer.scalars }
        }
        return State(momentumBuffers: momentumBuffers)
    }

    public func restore(from state: State) throws(OptimizerError) {
        var restored = [Tensor?](repeating: nil, count: buffers.count)
        for (name, values) in state.momentumBuffers {
            let i = try parameters.index(ofStateEntry: name, count: values.count)
            restored[i] = Tensor.checkedCopy(of: values, shape: parameters.entries[i].parameter.shape)
        }
        buffers = restored
    }
}
