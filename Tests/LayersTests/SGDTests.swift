import Testing
import Tensor
import Layers

/// torch.optim.SGD (dampening 0, no Nesterov) in Float64: g' = g + wd·θ; v = μ·v + g' (v = g' at
/// the first step); θ −= lr·v. Returns θ after each step.
private func sgd64(theta: [Double], gradients: [[Double]], learningRates: [Double], momentum: Double, weightDecay: Double)
    -> [[Double]]
{
    var theta = theta, velocity: [Double]? = nil, trajectory: [[Double]] = []
    for (g, lr) in zip(gradients, learningRates) {
        let decayed = zip(g, theta).map { $0 + weightDecay * $1 }
        let v = velocity.map { zip($0, decayed).map { momentum * $0 + $1 } } ?? decayed
        velocity = v
        theta = zip(theta, v).map { $0 - lr * $1 }
        trajectory.append(theta)
    }
    return trajectory
}

@Suite("SGD")
struct SGDTests {
    /// θ = 1, g = 0.5 every step, lr 0.1, μ 0.9, wd 0.01, by hand:
    ///   step 1: g' = 0.5 + 0.01·1 = 0.51;            v = 0.51;                      θ = 1 − 0.051 = 0.949
    ///   step 2: g' = 0.5 + 0.00949 = 0.50949;        v = 0.459 + 0.50949 = 0.96849; θ = 0.949 − 0.096849 = 0.852151
    ///   step 3: g' = 0.5 + 0.00852151 = 0.50852151;  v = 0.871641 + 0.50852151 = 1.38016251;
    ///           θ = 0.852151 − 0.138016251 = 0.714134749
    /// Float32 tolerance 1e-6.
    @Test func handComputedSteps() throws {
        let parameter = Parameter(Tensor(repeating: 1, shape: [1]))
        let optimizer = try SGD(parameters: [("w", parameter)], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        for expected in [0.949, 0.852151, 0.714134749] {
            parameter.gradient.fill(0.5)
            optimizer.step()
            #expect(abs(Double(parameter.value.scalars[0]) - expected) <= 1e-6)
        }
        let buffer = try #require(optimizer.state.momentumBuffers["w"])
        #expect(abs(Double(buffer[0]) - 1.38016251) <= 1e-6)
    }

    /// Four steps on two parameters with changing gradients and a learning rate changed between
    /// steps, against the Float64 formula (≤ 1e-6 relative to max |θ|).
    @Test(arguments: [Float(0.9), 0])
    func stepsMatchFloat64Formula(momentum: Float) throws {
        var generator = RandomGenerator(seed: 61)
        let weight = Parameter(Tensor(zeros: [3, 4])), bias = Parameter(Tensor(zeros: [5]))
        let parameters = [weight, bias]
        for p in parameters { p.value.fillUniform(-1..<1, using: &generator) }
        let learningRates: [Float] = [0.1, 0.05, 0.2, 0.01]
        let gradients = parameters.map { p in
            learningRates.map { _ in (0..<p.value.count).map { _ in generator.nextUniform(in: -1..<1) } }
        }
        let initial = parameters.map { DoubleReference.values($0.value) }
        let optimizer = try SGD(parameters: [("weight", weight), ("bias", bias)], learningRate: 1,
                                momentum: momentum, weightDecay: 5e-4)
        for (step, lr) in learningRates.enumerated() {
            optimizer.learningRate = lr
            for (p, g) in zip(parameters, gradients) { try p.gradient.assign(Tensor(shape: p.shape, values: g[step])) }
            optimizer.step()
        }
        for (i, p) in parameters.enumerated() {
            let expected = sgd64(theta: initial[i], gradients: gradients[i].map { $0.map(Double.init) },
                                 learningRates: learningRates.map(Double.init), momentum: Double(momentum),
                                 weightDecay: Double(Float(5e-4))).last!
            #expect(DoubleReference.maxAbsDifference(DoubleReference.values(p.value), expected) <= 1e-6)
        }
        #expect(optimizer.state.momentumBuffers.keys.sorted() == (momentum > 0 ? ["bias", "weight"] : []))
    }

    @Test func invalidHyperparametersAreTypedErrors() {
        let p = [("w", Parameter(Tensor(zeros: [1])))]
        #expect(throws: OptimizerError.invalidHyperparameter(name: "momentum", value: 1, expected: "in [0, 1)")) {
            try SGD(parameters: p, learningRate: 0.1, momentum: 1)
        }
        #expect(throws: OptimizerError.invalidHyperparameter(name: "learning rate", value: -1, expected: "≥ 0")) {
            try SGD(parameters: p, learningRate: -1)
        }
        #expect(throws: OptimizerError.invalidHyperparameter(name: "weight decay", value: -1, expected: "≥ 0")) {
            try SGD(parameters: p, learningRate: 0.1, weightDecay: -1)
        }
    }
}
