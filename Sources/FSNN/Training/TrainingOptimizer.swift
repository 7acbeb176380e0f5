import Layers

/// The optimiser a configuration asks for, with its state as a plain value.
public enum TrainingOptimizer {
    case sgd(SGD)
    case adam(Adam)

    init(configuration c: TrainingConfiguration, parameters: [(name: String, parameter: Parameter)]) throws {
        switch c.optimizer {
        case .sgd:
            self = .sgd(try SGD(parameters: parameters, learningRate: c.learningRate, momentum: c.momentum,
                                weightDecay: c.weightDecay))
        case .adam:
            self = .adam(try Adam(parameters: parameters, learningRate: c.learningRate, weightDecay: c.weightDecay))
        }
    }

    func step(learningRate: Float) {
        switch self {
        case let .sgd(sgd):
            sgd.learningRate = learningRate
            sgd.step()
        case let .adam(adam):
            adam.learningRate = learningRate
            adam.step()
        }
    }
}
