import Datasets
import FSNN
import Foundation
import Tensor

/// Measurements of a session's current model that go beyond one epoch's metrics: the test-set
/// firing rates of Table 5 and the residual traces of the convergence figure. The runner records
/// them in result files; `fsnn inspect` prints them for a checkpoint.
public enum ModelMeasurements {
    /// Per-layer test firing rates and synaptic operations of `test` (an evaluation, dropout off;
    /// spec §9.4) for the model after `epoch` epochs. Under quirk B4 (`rate_stats_div5`) the
    /// rates are divided by 5 as the reference script prints them; SOPs stay true.
    public static func firingRates(_ test: EvaluationSummary, epoch: Int, quirks: Set<Quirk>) -> FiringRates {
        let divisor: Double = quirks.contains(.rateStatsDiv5) ? 5 : 1
        return FiringRates(epoch: epoch, samples: test.samples, timeSteps: test.timeSteps, neurons: test.layerSizes,
                           rates: test.layerRates.map { $0 / divisor }, synapticOperations: test.synapticOperations)
    }

    /// ‖f(a[t]) − a[t]‖ / ‖a[t]‖ for t = 1…`steps` (spec §9.5) of the session's model, in
    /// evaluation mode, on the first `batches` test batches the session evaluates (its
    /// class-stratified test order and batch size). The trace runs on a copy of the network
    /// built for `steps` time steps, so it may be longer than the training T and leaves the
    /// session untouched. Each batch gives one
    /// trace (norms over the whole batch); `residualMean` is their mean and `residualStd` their
    /// sample standard deviation across batches (NaN for one batch).
    public static func residualTrace(of session: TrainingSession, steps: Int, batches: Int, name: String,
                                     epoch: Int) throws -> ConvergenceTrace {
        var configuration = session.configuration
        guard steps == configuration.timeSteps || !ModelZoo.takesSpikes(configuration.model) else {
            throw MeasurementError.traceLongerThanFrames(model: configuration.model.rawValue, steps: steps,
                                                         frames: configuration.timeSteps)
        }
        guard steps >= 1, batches >= 1 else { throw MeasurementError.invalidTrace(steps: steps, batches: batches) }
        configuration.timeSteps = steps
        var generator = RandomGenerator(seed: 0)
        let network = try ModelZoo.make(configuration, generator: &generator)
        network.interruptionCheck = session.trainer.network.interruptionCheck
        try NamedTensorCopy.assign(session.trainer.network.namedState, to: network.namedState,
                                   source: "the trained network")
        let batcher = try Batcher(split: session.dataset.test, batchSize: configuration.testBatchSize,
                                  sampleIndices: session.testBatcher.sampleIndices, generator: RandomGenerator(seed: 0),
                                  prefetches: false)
        var traces: [[Float]] = [], samples = 0
        for batch in batcher.nextEpoch().prefix(batches) {
            try network.prepare(batchSize: batch.labels.count, phase: .evaluation, generator: &generator)
            let trace = ResidualTrace(network: network, batchSize: batch.labels.count)
            _ = try network.simulate(session.networkInput(batch), phase: .evaluation, observing: [trace])
            traces.append(trace.values)
            samples += batch.labels.count
        }
        let mean = (0..<steps).map { t in traces.reduce(0) { $0 + Double($1[t]) } / Double(traces.count) }
        let std = (0..<steps).map { t -> Double in
            guard traces.count > 1 else { return .nan }
            let squares = traces.reduce(0) { $0 + (Double($1[t]) - mean[t]) * (Double($1[t]) - mean[t]) }
            return (squares / Double(traces.count - 1)).squareRoot()
        }
        return ConvergenceTrace(name: name, epoch: epoch, samples: samples, residualMean: mean, residualStd: std)
    }
}

/// A measurement that cannot be taken as asked.
public enum MeasurementError: Error, Equatable, CustomStringConvertible {
    case traceLongerThanFrames(model: String, steps: Int, frames: Int)
    case invalidTrace(steps: Int, batches: Int)

    public var description: String {
        switch self {
        case let .traceLongerThanFrames(model, steps, frames):
            return "\(model) reads \(frames) spike frames per sample; a residual trace over \(steps) steps needs static input"
        case let .invalidTrace(steps, batches):
            return "a residual trace needs steps ≥ 1 and batches ≥ 1, not \(steps) and \(batches)"
        }
    }
}
