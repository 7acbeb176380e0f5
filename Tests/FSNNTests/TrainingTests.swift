import Testing
import Tensor
import FSNN

/// End-to-end behaviour of the simulator and the trainer on random data.
@Suite struct TrainingTests {
    /// Spec §12.3: the MNIST single-layer net at random init, N(0, 1) inputs, evaluation mode.
    /// IF's residual ‖f(a[t]) − a[t]‖/‖a[t]‖ decays roughly as 1/t (reference: 0.045 at 30, 0.0044
    /// at 300); LIF (λ 0.95) plateaus (0.082 at 30, 0.064 at 100, 0.063 at 300).
    @Test func equilibriumResidualDecaysForIFAndPlateausForLIF() throws {
        func trace(_ neuron: NeuronModel) throws -> [Float] {
            var configuration = TrainingConfiguration(model: .mnist64C5sF64C5, timeSteps: 300)
            configuration.neuron = neuron
            var generator = RandomGenerator(seed: 12)
            let network = try ModelZoo.make(configuration, generator: &generator)
            let trainer = try Trainer(configuration: configuration, network: network, dropoutGenerator: generator)
            let x = Tensor(zeros: [2, 1, 28, 28])
            x.fillNormal(using: &generator)
            return try #require(try trainer.evaluate(.image(x), labels: [0, 1], traceResidual: true).residualTrace)
        }
        let integrate = try trace(.integrateAndFire), leaky = try trace(.leaky(lambda: 0.95))
        #expect(integrate.count == 300)
        #expect(integrate[299] < integrate[29] / 5, "IF: \(integrate[29]) at T=30, \(integrate[299]) at T=300")
        #expect(leaky[299] > 0.7 * leaky[99], "LIF: \(leaky[99]) at T=100, \(leaky[299]) at T=300")
        #expect(leaky[299] > 3 * integrate[299])
    }

    /// An F400 trainer and a fixed set of random images with random labels.
    static func fashionShaped(_ method: TrainingMethod, steps: Int, samples: Int, seed: UInt64) throws
        -> (Trainer, Tensor, [Int]) {
        var configuration = TrainingConfiguration(model: .fmnistF400, timeSteps: steps)
        configuration.method = method
        var generator = RandomGenerator(seed: seed)
        let network = try ModelZoo.make(configuration, generator: &generator)
        let trainer = try Trainer(configuration: configuration, network: network, dropoutGenerator: generator.split())
        let images = Tensor(zeros: [samples, 1, 28, 28])
        images.fillNormal(using: &generator)
        return (trainer, images, (0..<samples).map { _ in generator.nextInt(below: 10) })
    }

    /// 50 iterations on a fixed random F-MNIST-shaped set lower the training loss, for every
    /// gradient method (OTTT's loss is its mean per-step loss).
    @Test(arguments: TrainingMethod.allCases)
    func fiftyIterationsLowerTheLoss(method: TrainingMethod) throws {
        let (trainer, images, labels) = try Self.fashionShaped(method, steps: 5, samples: 64, seed: 3)
        var losses: [Float] = []
        for iteration in 0..<50 {
            let half = iteration % 2
            let report = try trainer.trainStep(.image(try images.batch(half * 32..<(half + 1) * 32)),
                                               labels: Array(labels[(half * 32)..<((half + 1) * 32)]))
            losses.append(report.loss)
        }
        let first = losses.prefix(10).reduce(0, +) / 10, last = losses.suffix(10).reduce(0, +) / 10
        #expect(last < 0.8 * first, "mean loss of the first 10 iterations \(first), of the last 10 \(last)")
    }

    /// A step's reported gradient norm is ‖∂L/∂θ‖₂ over every parameter, as a Float64 sum of
    /// the squares of the gradients `computeGradients` leaves for the same batch and state.
    @Test(arguments: TrainingMethod.allCases)
    func theStepReportsTheGradientNorm(method: TrainingMethod) throws {
        let (stepping, images, labels) = try Self.fashionShaped(method, steps: 5, samples: 32, seed: 6)
        let (inspecting, _, _) = try Self.fashionShaped(method, steps: 5, samples: 32, seed: 6)
        _ = try inspecting.computeGradients(.image(images), labels: labels)
        let expected = inspecting.network.namedParameters.reduce(0.0) { sum, named in
            sum + named.parameter.gradient.withUnsafeBufferPointer { $0.reduce(0.0) { $0 + Double($1) * Double($1) } }
        }.squareRoot()
        let reported = try stepping.trainStep(.image(images), labels: labels).gradientNorm
        #expect(expected > 0 && abs(reported - expected) <= 1e-5 * expected, "reported \(reported), expected \(expected)")
    }

    /// `gradient_clip_norm` c: plain SGD (no momentum, no weight decay) moves every weight by
    /// −lr · g · c/‖g‖ when ‖g‖ > c, i.e. the unclipped step scaled by c/‖g‖, and not at all
    /// differently when ‖g‖ ≤ c; the reported norm is the one before clipping. The steps run on one
    /// worker and one BLAS thread inside `Parallel.withSettings`, so that a parallel test's worker
    /// count cannot change the order of their sums between two steps compared bit for bit.
    @Test func aGradientAboveTheClippingNormIsScaledToIt() throws {
        try Parallel.withSettings(workers: 1, blasThreads: 1) { try checkClipping() }
    }

    private func checkClipping() throws {
        func step(clip: Float?) throws -> (norm: Double, moves: [Double]) {
            var configuration = TrainingConfiguration(model: .fmnistF400, timeSteps: 5)
            configuration.method = .stbp
            configuration.momentum = 0
            configuration.weightDecay = 0
            configuration.gradientClipNorm = clip
            var generator = RandomGenerator(seed: 8)
            let network = try ModelZoo.make(configuration, generator: &generator)
            let trainer = try Trainer(configuration: configuration, network: network, dropoutGenerator: generator.split())
            let images = Tensor(zeros: [16, 1, 28, 28])
            images.fillNormal(using: &generator)
            let labels = (0..<16).map { $0 % 10 }
            let before = network.namedParameters.flatMap { $0.parameter.value.scalars }
            let norm = try trainer.trainStep(.image(images), labels: labels).gradientNorm
            let after = network.namedParameters.flatMap { $0.parameter.value.scalars }
            return (norm, zip(after, before).map { Double($0) - Double($1) })
        }
        let free = try step(clip: nil)
        let bound = Float(free.norm / 4)
        let clipped = try step(clip: bound), loose = try step(clip: Float(free.norm * 2))
        #expect(clipped.norm == free.norm && loose.norm == free.norm)
        #expect(loose.moves == free.moves)
        let factor = Double(bound) / free.norm
        let worst = zip(clipped.moves, free.moves).map { abs($0 - factor * $1) }.max()!
        let largest = free.moves.map(abs).max()!
        #expect(worst <= 1e-3 * factor * largest, "worst deviation \(worst) of moves up to \(factor * largest)")
    }

    /// Issue 5: BPTT memory grows with T, IDE's and OTTT's do not (fmnist_f400, batch 128). STBP's
    /// history holds one byte per neuron and step (the rectangular surrogate's spike and window
    /// bits), so its transient peak grows by exactly 128 × 400 bytes per step; OTTT keeps one step
    /// and its traces, so its peaks do not move at all, with or without the buffers it keeps.
    @Test func memoryGrowsWithTForSTBPOnly() throws {
        /// The transient peaks of the first step, which allocates the buffers kept for this batch
        /// shape, and of the second.
        func peaks(_ method: TrainingMethod, steps: Int) throws -> (first: Int, transient: Int) {
            let (trainer, images, labels) = try Self.fashionShaped(method, steps: steps, samples: 128, seed: 4)
            let first = try trainer.trainStep(.image(images), labels: labels)
            return (first.transientPeakBytes, try trainer.trainStep(.image(images), labels: labels).transientPeakBytes)
        }
        let stbp10 = try peaks(.stbp, steps: 10).transient, stbp30 = try peaks(.stbp, steps: 30).transient
        let ide10 = try peaks(.ide, steps: 10).transient, ide30 = try peaks(.ide, steps: 30).transient
        let ottt10 = try peaks(.ottt, steps: 10), ottt30 = try peaks(.ottt, steps: 30)
        #expect(stbp30 - stbp10 == 20 * 128 * 400, "STBP: \(stbp10) B at T=10, \(stbp30) B at T=30")
        #expect(Double(ide30) <= 1.1 * Double(ide10), "IDE: \(ide10) B at T=10, \(ide30) B at T=30")
        #expect(ottt30.transient == ottt10.transient, "OTTT: \(ottt10.transient) B at T=10, \(ottt30.transient) B at T=30")
        #expect(ottt30.first == ottt10.first, "OTTT with its kept buffers: \(ottt10.first) B at T=10, \(ottt30.first) B at T=30")
    }
}
