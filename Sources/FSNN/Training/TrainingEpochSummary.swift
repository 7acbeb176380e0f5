import Tensor

/// Training metrics of one epoch, accumulated batch by batch.
public struct TrainingEpochSummary: Sendable {
    public var learningRate: Float
    public private(set) var samples = 0
    public private(set) var batches = 0
    private var lossSum: Double = 0
    private var correct = 0
    private var solverIterationSum = 0
    private var solverResidualSum: Double = 0
    private var solves = 0
    /// Largest relative residual of the adjoint solves.
    public private(set) var solverResidualMax: Float = 0
    private var rateSums: [Double]
    /// Transient and absolute peak tensor bytes of every training iteration.
    public private(set) var transientPeakBytes: [Int] = []
    public private(set) var absolutePeakBytes: [Int] = []
    /// The gradient norm of every training iteration (`TrainingStepReport.gradientNorm`).
    public private(set) var gradientNorms: [Double] = []
    /// Summed phase times of the steps.
    public private(set) var timing = StepTiming()
    public var seconds: Double = 0
    public var dataWaitSeconds: Double = 0

    init(learningRate: Float, layers: Int) {
        self.learningRate = learningRate
        rateSums = Array(repeating: 0, count: layers)
    }

    mutating func add(_ report: TrainingStepReport) {
        samples += report.samples
        batches += 1
        lossSum += Double(report.loss) * Double(report.samples)
        correct += report.correct
        if let solver = report.solver {
            solves += 1
            solverIterationSum += solver.iterations
            solverResidualSum += Double(solver.relativeResidual)
            solverResidualMax = max(solverResidualMax, solver.relativeResidual)
        }
        for (layer, rate) in report.meanRates.enumerated() { rateSums[layer] += rate * Double(report.samples) }
        transientPeakBytes.append(report.transientPeakBytes)
        absolutePeakBytes.append(report.absolutePeakBytes)
        gradientNorms.append(report.gradientNorm)
        timing.simulate += report.timing.simulate
        timing.solve += report.timing.solve
        timing.parameterGradient += report.timing.parameterGradient
        timing.total += report.timing.total
    }

    public var loss: Double { samples > 0 ? lossSum / Double(samples) : .nan }
    public var accuracy: Double { samples > 0 ? Double(correct) / Double(samples) : .nan }
    /// Mean iterations per solve (NaN for STBP).
    public var solverIterations: Double { solves > 0 ? Double(solverIterationSum) / Double(solves) : .nan }
    public var solverResidualMean: Double { solves > 0 ? solverResidualSum / Double(solves) : .nan }
    /// Mean firing rate per layer over the epoch's training simulations.
    public var layerRates: [Double] { rateSums.map { samples > 0 ? $0 / Double(samples) : .nan } }
    /// Median and largest gradient norm of the epoch's iterations (NaN for an epoch without any).
    public var gradientNormMedian: Double { gradientNorms.median() ?? .nan }
    public var gradientNormMax: Double { gradientNorms.max() ?? .nan }
    /// Fraction of the epoch spent waiting for the next batch.
    public var dataWaitFraction: Double { seconds > 0 ? dataWaitSeconds / seconds : 0 }
}
