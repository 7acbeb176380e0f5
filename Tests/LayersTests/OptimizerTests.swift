import Foundation
import Testing
import Tensor
import Layers

/// Two named parameters with random values, and a random gradient for each of `steps` steps.
private struct Problem {
    let names = ["conv.weight", "conv.bias"]
    let initialValues: [[Float]]
    let shapes = [[2, 3], [3]]
    let gradients: [[[Float]]]

    init(steps: Int, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        initialValues = shapes.map { shape in (0..<shape.reduce(1, *)).map { _ in generator.nextUniform(in: -1..<1) } }
        gradients = (0..<steps).map { _ in
            [[2, 3], [3]].map { shape in (0..<shape.reduce(1, *)).map { _ in generator.nextUniform(in: -1..<1) } }
        }
    }

    func parameters(values: [[Float]]) throws -> [(name: String, parameter: Parameter)] {
        try zip(names, zip(shapes, values)).map { ($0, Parameter(try Tensor(shape: $1.0, values: $1.1))) }
    }

    func setGradients(_ parameters: [(name: String, parameter: Parameter)], step: Int) throws {
        for ((_, p), g) in zip(parameters, gradients[step]) { try p.gradient.assign(Tensor(shape: p.shape, values: g)) }
    }
}

/// Runs steps 1 and 2, saves the state through JSON, restores it into a fresh optimiser over
/// copies of the parameters, and runs step 3 on both: parameters and states must agree bit for bit.
private func checkStateRoundTrip<O: Optimizer>(_ make: ([(name: String, parameter: Parameter)]) throws -> O) throws {
    let problem = Problem(steps: 3, seed: 63)
    let original = try problem.parameters(values: problem.initialValues)
    let optimizer = try make(original)
    for step in 0..<2 {
        try problem.setGradients(original, step: step)
        optimizer.step()
    }
    let saved = try JSONEncoder().encode(optimizer.state)
    let copies = try problem.parameters(values: original.map(\.parameter.value.scalars))
    let restored = try make(copies)
    try restored.restore(from: JSONDecoder().decode(O.State.self, from: saved))
    #expect(restored.state == optimizer.state)
    for parameters in [original, copies] { try problem.setGradients(parameters, step: 2) }
    optimizer.learningRate *= 0.5
    restored.learningRate *= 0.5
    optimizer.step()
    restored.step()
    for (a, b) in zip(original, copies) { #expect(a.parameter.value.scalars == b.parameter.value.scalars) }
    #expect(restored.state == optimizer.state)
}

@Suite("Optimizer")
struct OptimizerTests {
    @Test func sgdStateRoundTripsBitForBit() throws {
        try checkStateRoundTrip { try SGD(parameters: $0, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4) }
    }

    @Test func adamStateRoundTripsBitForBit() throws {
        try checkStateRoundTrip { try Adam(parameters: $0, learningRate: 0.05, weightDecay: 5e-4) }
    }

    @Test func duplicateNamesAreRejected() {
        let p = Parameter(Tensor(zeros: [1]))
        #expect(throws: OptimizerError.duplicateParameterName("w")) {
            try SGD(parameters: [("w", p), ("v", p), ("w", p)], learningRate: 0.1)
        }
    }

    /// Restoring state for an unknown parameter or with the wrong size fails and leaves the
    /// optimiser unchanged.
    @Test func mismatchedStateIsRejected() throws {
        let weight = Parameter(Tensor(zeros: [2, 2]))
        let sgd = try SGD(parameters: [("weight", weight)], learningRate: 0.1, momentum: 0.9)
        weight.gradient.fill(1)
        sgd.step()
        let before = sgd.state
        #expect(throws: OptimizerError.unknownParameterInState("bias")) {
            try sgd.restore(from: SGD.State(momentumBuffers: ["weight": [0, 0, 0, 0], "bias": [1]]))
        }
        #expect(throws: OptimizerError.stateSizeMismatch(parameter: "weight", expected: 4, actual: 3)) {
            try sgd.restore(from: SGD.State(momentumBuffers: ["weight": [0, 0, 0]]))
        }
        #expect(sgd.state == before)

        let adam = try Adam(parameters: [("weight", weight)])
        #expect(throws: OptimizerError.stateSizeMismatch(parameter: "weight", expected: 4, actual: 1)) {
            try adam.restore(from: Adam.State(moments: ["weight": .init(step: 1, firstMoment: [0, 0, 0, 0], secondMoment: [0])]))
        }
        #expect(throws: OptimizerError.invalidState(field: "weight.step", value: 0)) {
            try adam.restore(from: Adam.State(moments: ["weight": .init(step: 0, firstMoment: [0, 0, 0, 0], secondMoment: [0, 0, 0, 0])]))
        }
    }
}
