import Foundation
import Tensor

/// Adam with L2 weight decay added to the gradient, as `torch.optim.Adam` (not AdamW). Per
/// parameter θ with gradient g, at its step t = 1, 2, …:
///
///     g' = g + wd·θ
///     m  = β1·m + (1 − β1)·g'
///     s  = β2·s + (1 − β2)·g'²
///     θ -= (lr / (1 − β1ᵗ)) · m / (√s / √(1 − β2ᵗ) + ε)
///
/// β1, β2 are Double like PyTorch's Python floats: the bias corrections and the coefficients
/// 1 − β are formed in Double and then rounded (1 − Float(0.999) would be 1.3e-5 away from 0.001).
public final class Adam: Optimizer {
    /// One parameter's state, with PyTorch's key names.
    public struct Moments: Codable, Equatable, Sendable {
        /// Steps taken, t.
        public var step: Int
        /// m, PyTorch's "exp_avg".
        public var firstMoment: [Float]
        /// s, PyTorch's "exp_avg_sq".
        public var secondMoment: [Float]

        public init(step: Int, firstMoment: [Float], secondMoment: [Float]) {
            self.step = step
            self.firstMoment = firstMoment
            self.secondMoment = secondMoment
        }

        enum CodingKeys: String, CodingKey {
            case step
            case firstMoment = "exp_avg"
            case secondMoment = "exp_avg_sq"
        }
    }

    /// The per-parameter state by parameter name, present once a parameter has been stepped.
    public struct State: Codable, Equatable, Sendable {
        public var moments: [String: Moments]

        public init(moments: [String: Moments] = [:]) {
            self.moments = moments
        }
    }

    public var learningRate: Float
    public let beta1: Double
    public let beta2: Double
    /// ε, added to the bias-corrected √s.
    public let epsilon: Float
    public let weightDecay: Float
    private let parameters: NamedParameterList
    private var entries: [(step: Int, first: Tensor, second: Tensor)?]

    public init(
        parameters: [(name: String, parameter: Parameter)], learningRate: Float = 1e-3, beta1: Double = 0.9,
        beta2: Double = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0
    ) throws(OptimizerError) {
        try OptimizerError.check(learningRate >= 0, "learning rate", learningRate, "≥ 0")
        try OptimizerError.check(beta1 >= 0 && beta1 < 1, "beta1", beta1, "in [0, 1)")
        try OptimizerError.check(beta2 >= 0 && beta2 < 1, "beta2", beta2, "in [0, 1)")
        try OptimizerError.check(epsilon > 0, "epsilon", epsilon, "> 0")
        try OptimizerError.check(weightDecay >= 0, "weight decay", weightDecay, "≥ 0")
        self.parameters = try NamedParameterList(parameters)
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        entries = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        let (b1, b2, eps, wd) = (Float(beta1), Float(beta2), epsilon, weightDecay)
        let (c1, c2) = (Float(1 - beta1), Float(1 - beta2))
        for (i, (_, parameter)) in parameters.entries.enumerated() {
            let entry = entries[i] ?? (0, Tensor(zeros: parameter.shape), Tensor(zeros: parameter.shape))
            let t = entry.step + 1
            entries[i] = (t, entry.first, entry.second)
            let stepSize = Float(Double(learningRate) / (1 - pow(beta1, Double(t))))
            let correction2Root = Float((1 - pow(beta2, Double(t))).squareRoot())
            let theta = parameter.value.pointer, g = parameter.gradient.pointer
            let m = entry.first.pointer, s = entry.second.pointer
            for j in 0..<parameter.value.count {
                let gradient = g[j] + wd * theta[j]
                m[j] = b1 * m[j] + c1 * gradient
                s[j] = b2 * s[j] + c2 * gradient * gradient
                theta[j] -= stepSize * (m[j] / (s[j].squareRoot() / correction2Root + eps))
            }
        }
    }

    public var state: State {
        var moments: [String: Moments] = [:]
        for ((name, _), entry) in zip(parameters.entries, entries) {
            if let entry {
                moments[name] = Moments(step: entry.step, firstMoment: entry.first.scalars, secondMoment: entry.second.scalars)
            }
        }
        return State(moments: moments)
    }

    public func restore(from state: State) throws(OptimizerError) {
        var restored = [(step: Int, first: Tensor, second: Tensor)?](repeating: nil, count: entries.count)
        for (name, moments) in state.moments {
            let i = try parameters.index(ofStateEntry: name, count: moments.firstMoment.count)
            _ = try parameters.index(ofStateEntry: name, count: moments.secondMoment.count)
            guard moments.step >= 1 else { throw .invalidState(field: "\(name).step", value: moments.step) }
            let shape = parameters.entries[i].parameter.shape
            restored[i] = (moments.step, Tensor.checkedCopy(of: moments.firstMoment, shape: shape),
                           Tensor.checkedCopy(of: moments.secondMoment, shape: shape))
        }
        entries = restored
    }
}
