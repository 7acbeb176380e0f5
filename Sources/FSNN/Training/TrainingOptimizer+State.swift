import Layers
import Tensor

extension TrainingOptimizer {
    /// The optimiser's state under PyTorch's state keys, after the parameter's name.
    func state(of parameters: [(name: String, parameter: Parameter)]) -> OptimizerState {
        var state = OptimizerState()
        func tensor(_ values: [Float], like parameter: Parameter) -> Tensor {
            let tensor = Tensor(zeros: parameter.shape)
            tensor.pointer.update(from: values, count: values.count)
            return tensor
        }
        switch self {
        case let .sgd(sgd):
            let buffers = sgd.state.momentumBuffers
            for (name, parameter) in parameters {
                if let values = buffers[name] {
                    state.tensors.append(NamedTensor("\(name).momentum_buffer", tensor(values, like: parameter)))
                }
            }
        case let .adam(adam):
            let moments = adam.state.moments
            for (name, parameter) in parameters {
                guard let entry = moments[name] else { continue }
                state.tensors.append(NamedTensor("\(name).exp_avg", tensor(entry.firstMoment, like: parameter)))
                state.tensors.append(NamedTensor("\(name).exp_avg_sq", tensor(entry.secondMoment, like: parameter)))
                state.scalars["\(name).step"] = Double(entry.step)
            }
        }
        return state
    }

    /// Restores the state `state(of:)` gave; unknown entries are errors.
    func restore(_ state: OptimizerState) throws {
        func split(_ name: String, suffixes: [String]) throws(TrainingStateError) -> (parameter: String, key: String) {
            for suffix in suffixes where name.hasSuffix(".\(suffix)") {
                return (String(name.dropLast(suffix.count + 1)), suffix)
            }
            throw TrainingStateError(entry: "/optimizer/\(name)",
                                     reason: "not a state entry of this optimiser (\(suffixes.joined(separator: ", ")))")
        }
        switch self {
        case let .sgd(sgd):
            guard state.scalars.isEmpty else {
                throw TrainingStateError(entry: "/optimizer", reason: "SGD keeps no scalar state")
            }
            var buffers: [String: [Float]] = [:]
            for entry in state.tensors {
                buffers[try split(entry.name, suffixes: ["momentum_buffer"]).parameter] = entry.tensor.scalars
            }
            try sgd.restore(from: SGD.State(momentumBuffers: buffers))
        case let .adam(adam):
            var first: [String: [Float]] = [:], second: [String: [Float]] = [:]
            for entry in state.tensors {
                let (parameter, key) = try split(entry.name, suffixes: ["exp_avg_sq", "exp_avg"])
                if key == "exp_avg" { first[parameter] = entry.tensor.scalars } else { second[parameter] = entry.tensor.scalars }
            }
            var moments: [String: Adam.Moments] = [:]
            for (name, value) in state.scalars {
                let parameter = try split(name, suffixes: ["step"]).parameter
                guard let step = Int(exactly: value), let m = first[parameter], let s = second[parameter] else {
                    throw TrainingStateError(entry: "/optimizer@\(name)",
                                             reason: "needs an integer step and both moments of \(parameter)")
                }
                moments[parameter] = Adam.Moments(step: step, firstMoment: m, secondMoment: s)
            }
            guard moments.count == first.count, moments.count == second.count else {
                throw TrainingStateError(entry: "/optimizer",
                                         reason: "every Adam moment needs its step count and its partner moment")
            }
            try adam.restore(from: Adam.State(moments: moments))
        }
    }
}
