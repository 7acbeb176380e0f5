import Layers
import Tensor

/// What one training step measured (spec §4.10; issue 3 "record per batch").
public struct TrainingStepReport: Sendable {
    public var loss: Float
    public var correct: Int
    public var samples: Int
    public var learningRate: Float
    public var solver: SolverStatistics?
    /// Spikes per layer during the simulation, summed over the batch.
    public var spikeCounts: [Double]
    /// Mean firing rate per layer: spikes / (neurons × T × samples).
    public var meanRates: [Double]
    public var timing: StepTiming
    /// Highest tensor bytes live during the step minus those live when it started.
    public var transientPeakBytes: Int
    /// Tensor bytes live in the process when the step started plus the transient peak: the
    /// process's peak during the step when nothing else allocates concurrently. The data
    /// pipeline's batches, the one in training included, are not counted (`MemoryTracker.process`).
    public var absolutePeakBytes: Int
    /// ‖∂L/∂θ‖₂ over every trained parameter at the optimiser step (before weight decay), the
    /// norm `torch.nn.utils.clip_grad_norm_` computes; the largest over a batch's steps (OTTT_O).
    public var gradientNorm: Double
}

/// What one evaluation batch measured.
public struct EvaluationReport: Sendable {
    public var loss: Float
    public var correct: Int
    public var samples: Int
    public var spikeCounts: [Double]
    public var residualTrace: [Float]?
    /// Per spiking layer, the pre-spike membranes m_l[t] as [T, B·neurons], when recorded.
    public var membranes: [Tensor]?
    /// Classifier outputs, [B, classes].
    public var logits: Tensor
    /// Per sample, the class of the largest logit (the first on ties) and the label.
    public var predictions: [Int]
    public var labels: [Int]
}

/// A non-finite value stopped training (the harness records the run as failed).
public struct NonFiniteError: Error, CustomStringConvertible {
    public let quantity: String
    public var description: String { "\(quantity) is not finite (NaN or infinity): the run diverged" }
}

/// One training loop for every gradient method: per batch it resets the per-batch state, has the
/// method simulate, read out and back-propagate, and takes an optimiser step with the learning
/// rate of the schedule (spec §4.10, §7). Every random draw after construction comes from
/// `dropoutGenerator`.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let network: FeedbackNetwork
    public let strategy: any GradientStrategy
    public let optimizer: TrainingOptimizer
    public var schedule: LearningRateSchedule
    public var dropoutGenerator: RandomGenerator

    public init(configuration: TrainingConfiguration, network: FeedbackNetwork,
                dropoutGenerator: RandomGenerator) throws {
        self.configuration = configuration
        self.network = network
        strategy = configuration.makeGradientStrategy()
        optimizer = try TrainingOptimizer(configuration: configuration, parameters: network.namedParameters)
        schedule = try LearningRateSchedule(baseLearningRate: configuration.learningRate,
                                            milestones: configuration.milestones, gamma: configuration.gamma,
                                            warmupIterations: configuration.warmupIterations)
        self.dropoutGenerator = dropoutGenerator
    }

    /// One training step on a batch: the method's gradients and the optimiser's step after the
    /// batch (or the method's steps within it, OTTT_O), at the schedule's learning rate.
    public func trainStep(_ batch: NetworkInput, labels: [Int]) throws -> TrainingStepReport {
        var total = LapTimer()
        let tracker = MemoryTracker()
        let startBytes = MemoryTracker.process.liveBytes
        let learningRate = schedule.learningRate
        var gradientNorm = 0.0
        let pass = try tracker.measure {
            try computeGradients(batch, labels: labels) {
                gradientNorm = max(gradientNorm, try self.update(learningRate: learningRate))
                self.network.zeroGradients()
            }
        }
        try checkFinite(loss: pass.loss)
        if pass.updates == 0 { gradientNorm = try update(learningRate: learningRate) }
        schedule.completeIteration()
        var timing = pass.timing
        timing.total = total.lap()
        return TrainingStepReport(
            loss: pass.loss, correct: pass.correct, samples: batch.batchSize, learningRate: learningRate,
            solver: pass.solver, spikeCounts: pass.simulation.spikeCounts,
            meanRates: meanRates(pass.simulation.spikeCounts, batchSize: batch.batchSize),
            timing: timing, transientPeakBytes: tracker.peakBytes,
            absolutePeakBytes: startBytes + tracker.peakBytes, gradientNorm: gradientNorm)
    }

    /// The gradient half of a training step, without any optimiser step: zeroes the gradients,
    /// prepares the per-batch state (dropout masks from `dropoutGenerator`, the power iteration),
    /// and has the method simulate, read out and back-propagate, leaving ∂L/∂θ of the whole batch
    /// in every parameter's `gradient` (spec §4.10 steps 1–5). `fsnn inspect grads` calls it alone.
    public func computeGradients(_ batch: NetworkInput, labels: [Int]) throws -> GradientPass {
        try computeGradients(batch, labels: labels, update: nil)
    }

    private func computeGradients(_ batch: NetworkInput, labels: [Int], update: (() throws -> Void)?) throws
        -> GradientPass {
        network.zeroGradients()
        try network.prepare(batchSize: batch.batchSize, phase: .training, generator: &dropoutGenerator)
        return try strategy.computeGradients(network, batch: batch, labels: labels, update: update)
    }

    /// One optimiser step on the accumulated gradients, which must be finite, scaled to norm c
    /// when they exceed `gradientClipNorm` c, and leaving finite parameters; returns the norm
    /// before clipping.
    private func update(learningRate: Float) throws -> Double {
        let norm = try gradientNorm()
        if let bound = configuration.gradientClipNorm, norm > Double(bound) {
            let scale = Float(Double(bound) / norm)
            for (_, parameter) in network.namedParameters { parameter.gradient.scale(by: scale) }
        }
        optimizer.step(learningRate: learningRate)
        try checkFiniteParameters()
        return norm
    }

    /// Simulation only, running-statistics BN, no dropout (spec §4.3 "evaluation"); with
    /// `traceResidual` the residual after every step (`ResidualTrace`), with `recordingSteps`
    /// every layer's per-step membranes (`fsnn inspect trace`).
    public func evaluate(_ batch: NetworkInput, labels: [Int], traceResidual: Bool = false,
                         recordingSteps: Bool = false) throws -> EvaluationReport {
        try network.prepare(batchSize: batch.batchSize, phase: .evaluation, generator: &dropoutGenerator)
        let trace = traceResidual ? ResidualTrace(network: network, batchSize: batch.batchSize) : nil
        let history = recordingSteps ? SimulationHistory(membranesOf: network, batchSize: batch.batchSize) : nil
        let observers: [(any StepObserver)?] = [trace, history]
        let simulation = try network.simulate(batch, phase: .evaluation, observing: observers.compactMap { $0 })
        let readout = try Readout(network: network, rate: simulation.outputRate, labels: labels, computeGradient: false)
        let membranes = history.map { history in network.layerSizes.indices.compactMap { history.membranes(layer: $0) } }
        return EvaluationReport(loss: readout.loss, correct: readout.correct, samples: batch.batchSize,
                                spikeCounts: simulation.spikeCounts, residualTrace: trace?.values,
                                membranes: membranes, logits: readout.logits, predictions: try readout.logits.argmaxRows(),
                                labels: labels)
    }

    /// Spikes / (neurons × T × samples) per layer.
    public func meanRates(_ spikeCounts: [Double], batchSize: Int) -> [Double] {
        firingRates(spikeCounts: spikeCounts, layerSizes: network.layerSizes, timeSteps: configuration.timeSteps,
                    samples: batchSize)
    }

    /// Stops on a parameter the update made non-finite (a step too large for Float32), before
    /// the next batch runs on it.
    private func checkFiniteParameters() throws {
        for (name, parameter) in network.namedParameters where !parameter.value.isFinite {
            throw NonFiniteError(quantity: "\(name) after the optimiser step")
        }
    }

    /// Stops on a non-finite loss before the optimiser can spread it into the weights.
    private func checkFinite(loss: Float) throws {
        guard loss.isFinite else { throw NonFiniteError(quantity: "the training loss") }
    }

    /// ‖∂L/∂θ‖₂ over every trained parameter; stops on a non-finite gradient before the
    /// optimiser can spread it into the weights. Each parameter's Σg² is a Float32 dot product,
    /// which is finite exactly when its entries are, unless it overflows (entries beyond ~1e19):
    /// that tensor is then summed again in Float64.
    private func gradientNorm() throws -> Double {
        var sumOfSquares = 0.0
        for (name, parameter) in network.namedParameters {
            let gradient = parameter.gradient
            let squares = VectorKernels.dot(gradient.pointer, gradient.pointer, gradient.count)
            if squares.isFinite {
                sumOfSquares += Double(squares)
                continue
            }
            guard gradient.isFinite else { throw NonFiniteError(quantity: "the gradient of \(name)") }
            sumOfSquares += gradient.withUnsafeBufferPointer { $0.reduce(0) { $0 + Double($1) * Double($1) } }
        }
        return sumOfSquares.squareRoot()
    }
}

/// The classifier on the flattened output rate and the cross-entropy loss; in training also the
/// classifier's parameter gradients and ∂L/∂a (spec §1.2 step 2).
struct Readout {
    /// The rate read, flattened to [B, D].
    let rate: Tensor
    let logits: Tensor
    let loss: Float
    let correct: Int
    let rateGradient: Tensor?

    /// - Parameter rate: a[T], [B] + the output shape.
    init(network: FeedbackNetwork, rate outputRate: Tensor, labels: [Int], computeGradient: Bool) throws {
        rate = try outputRate.reshaped([outputRate.shape[0], outputRate.count / outputRate.shape[0]])
        logits = try network.classifier.forward(rate)
        correct = try CrossEntropy.correctCount(logits: logits, labels: labels)
        guard computeGradient else {
            loss = try CrossEntropy.loss(logits: logits, labels: labels)
            rateGradient = nil
            return
        }
        let logitGradient = Tensor(zeros: logits.shape)
        loss = try CrossEntropy.loss(logits: logits, labels: labels, gradient: logitGradient)
        let gradient = Tensor(zeros: rate.shape)
        try network.classifier.backward(input: rate, outputGradient: logitGradient, inputGradient: gradient)
        rateGradient = gradient
    }
}
