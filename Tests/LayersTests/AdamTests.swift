import Foundation
import Testing
import Tensor
import Layers

/// torch.optim.Adam in Float64 (L2 weight decay in the gradient, bias corrections). Returns θ
/// after the last step.
private func adam64(theta: [Double], gradients: [[Double]], learningRates: [Double], beta1: Double, beta2: Double,
                    epsilon: Double, weightDecay: Double) -> [Double] {
    var theta = theta
    var m = [Double](repeating: 0, count: theta.count), s = m
    for (t, (g, lr)) in zip(gradients, learningRates).enumerated() {
        let step = Double(t + 1)
        for j in theta.indices {
            let gradient = g[j] + weightDecay * theta[j]
            m[j] = beta1 * m[j] + (1 - beta1) * gradient
            s[j] = beta2 * s[j] + (1 - beta2) * gradient * gradient
            let mHat = m[j] / (1 - pow(beta1, step)), sHat = s[j] / (1 - pow(beta2, step))
            theta[j] -= lr * mHat / (sHat.squareRoot() + epsilon)
        }
    }
    return theta
}

@Suite("Adam")
struct AdamTests {
    /// θ = 1, lr 0.1, β = (0.9, 0.999), ε = 1e-8, gradients 0.5, −0.5, 0.25, by hand:
    ///   step 1: m = 0.05, s = 0.00025; m̂ = 0.5, ŝ = 0.25; θ = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.900000002
    ///   step 2: m = 0.045 − 0.05 = −0.005, s = 0.00024975 + 0.00025 = 0.00049975;
    ///           m̂ = −0.005/0.19 = −0.0263157895, ŝ = 0.00049975/0.001999 = 0.25;
    ///           θ = 0.900000002 + 0.1·0.0263157895/0.50000001 = 0.9052631598
    ///   step 3: m = −0.0045 + 0.025 = 0.0205, s = 0.00049925025 + 0.0000625 = 0.00056175025;
    ///           m̂ = 0.0205/0.271 = 0.0756457565, ŝ = 0.00056175025/0.002997001 = 0.1874374..., √ŝ = 0.4329405...;
    ///           θ = 0.9052631598 − 0.1·0.0756457565/0.4329406 = 0.8877906
    /// Float32 tolerance 1e-6.
    @Test func handComputedSteps() throws {
        let parameter = Parameter(Tensor(repeating: 1, shape: [1]))
        let optimizer = try Adam(parameters: [("w", parameter)], learningRate: 0.1)
        for (g, expected) in zip([Float(0.5), -0.5, 0.25], [0.900000002, 0.9052631598, 0.8877906]) {
            parameter.gradient.fill(g)
            optimizer.step()
            #expect(abs(Double(parameter.value.scalars[0]) - expected) <= 1e-6)
        }
        let moments = try #require(optimizer.state.moments["w"])
        #expect(moments.step == 3)
        #expect(abs(Double(moments.firstMoment[0]) - 0.0205) <= 1e-8)
        #expect(abs(Double(moments.secondMoment[0]) - 0.00056175025) <= 1e-9)
    }

    /// Four steps on two parameters with weight decay and a learning rate changed between steps,
    /// against the Float64 formula (≤ 1e-6; every step moves θ by at most about lr).
    @Test func stepsMatchFloat64Formula() throws {
        var generator = RandomGenerator(seed: 62)
        let weight = Parameter(Tensor(zeros: [2, 3])), bias = Parameter(Tensor(zeros: [4]))
        let parameters = [weight, bias]
        for p in parameters { p.value.fillUniform(-1..<1, using: &generator) }
        let learningRates: [Float] = [0.01, 0.02, 0.005, 0.01]
        let gradients = parameters.map { p in
            learningRates.map { _ in (0..<p.value.count).map { _ in generator.nextUniform(in: -1..<1) } }
        }
        let initial = parameters.map { DoubleReference.values($0.value) }
        let optimizer = try Adam(parameters: [("weight", weight), ("bias", bias)], weightDecay: 5e-4)
        for (step, lr) in learningRates.enumerated() {
            optimizer.learningRate = lr
            for (p, g) in zip(parameters, gradients) { try p.gradient.assign(Tensor(shape: p.shape, values: g[step])) }
            optimizer.step()
        }
        for (i, p) in parameters.enumerated() {
            let expected = adam64(theta: initial[i], gradients: gradients[i].map { $0.map(Double.init) },
                                  learningRates: learningRates.map(Double.init), beta1: 0.9, beta2: 0.999,
                                  epsilon: 1e-8, weightDecay: Double(Float(5e-4)))
            #expect(DoubleReference.maxAbsDifference(DoubleReference.values(p.value), expected) <= 1e-6)
        }
        #expect(optimizer.state.moments.values.allSatisfy { $0.step == 4 })
    }

    /// The state encodes with PyTorch's key names.
    @Test func stateUsesPyTorchKeys() throws {
        let moments = Adam.Moments(step: 2, firstMoment: [1], secondMoment: [2])
        let json = String(decoding: try JSONEncoder().encode(moments), as: UTF8.self)
        #expect(json.contains("\"exp_avg\"") && json.contains("\"exp_avg_sq\"") && json.contains("\"step\""))
    }

    @Test func invalidHyperparametersAreTypedErrors() {
        let p = [("w", Parameter(Tensor(zeros: [1])))]
        #expect(throws: OptimizerError.invalidHyperparameter(name: "beta2", value: 1, expected: "in [0, 1)")) {
            try Adam(parameters: p, beta2: 1)
        }
        #expect(throws: OptimizerError.invalidHyperparameter(name: "epsilon", value: 0, expected: "> 0")) {
            try Adam(parameters: p, epsilon: 0)
        }
    }
}
