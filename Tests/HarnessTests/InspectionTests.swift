import Datasets
import Foundation
import HDF5
import Harness
import Tensor
import Testing

extension RunnerTests {
    /// `fsnn inspect` on the checkpoint of a finished run.
    @Suite struct Inspection {
        /// A finished two-epoch run (with residual traces of 7 steps over 2 test batches).
        static func finishedRun() throws -> (fixture: RunnerFixture, checkpoint: String, record: RunRecord) {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(
                defaults: ["test_batches: 2", "convergence: {steps: 7, batches: 2}"], rows: [("a", [])]))
            _ = try fixture.runner(experiment, fixture.options()).run()
            return (fixture, fixture.checkpointPath("a"), try ResultStore.read(fixture.resultPath("a")))
        }

        @Test func gradientFileHoldsTheBatchAndGradientsConsistentWithItsOwnNumbers() throws {
            try withOneThread {
                let (fixture, checkpoint, _) = try Self.finishedRun()
                let checkpointBytes = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
                let indices = [3, 0, 5, 9, 12, 1]
                let output = fixture.data.directory.file("inspect/grads.h5")
                let summary = try GradientInspection(checkpoint: checkpoint, dataRoot: fixture.data.root, indices: indices)
                    .write(to: output)
                #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint)) == checkpointBytes, "no update is written back")
                #expect(summary.batchSize == 6 && summary.method == .ide && summary.solver != nil)

                let file = try HDF5File.open(output)
                defer { try? file.close() }
                let names = ["input.layer.weight", "input.layer.bias", "input.bn.weight", "input.bn.bias",
                             "feedback.weight_raw", "feedback.g", "classifier.weight", "classifier.bias"]
                let shapes = [[400, 784], [400], [400], [400], [400, 400], [1], [10, 400], [10]]
                #expect(try file.members(of: "/gradients") == names)
                for (name, shape) in zip(names, shapes) { #expect(try file.shape(of: "/gradients/\(name)") == shape, "\(name)") }
                #expect(summary.gradientNorms.map(\.name) == names)

                let split = try DatasetCatalog.load(.fashionMNIST, from: fixture.data.root).train
                let input = try file.readTensor("/input")
                #expect(input.shape == [6, 1, 28, 28])
                var unused = RandomGenerator(seed: 1)
                for (row, index) in indices.enumerated() {
                    #expect(Array(input.scalars[(row * 784)..<((row + 1) * 784)]) == split.sample(index, using: &unused).scalars)
                }
                let labels = try file.read("/labels", as: Int.self).values
                #expect(labels == indices.map { split.labels[$0] })
                #expect(try file.read("/indices", as: Int.self).values == indices)
                for mask in try file.members(of: "/masks") {
                    #expect(try file.readTensor("/masks/\(mask)").scalars.allSatisfy { $0 == 0 || $0 == 1 / Float(0.8) })
                }
                #expect(try file.members(of: "/masks") == ["input.dropout", "feedback.dropout"])
                #expect(try file.attribute("iterations", of: "/solver", as: Int.self) >= 1)

                // The readout, recomputed in Float64 from the written rates and the checkpoint's
                // classifier: logits = a Wᵀ + b, L = mean(logsumexp(z) − z_y), ∂L/∂b = mean(p − e_y),
                // ∂L/∂W = (p − e_y)ᵀ a / B. Tolerance: Float32 sums of 400 terms, 2e-5 relative to
                // the largest magnitude involved.
                let weights = try Checkpoint.read(checkpoint).weights
                let w = try #require(weights.first { $0.name == "classifier.weight" }).tensor.scalars.map(Double.init)
                let b = try #require(weights.first { $0.name == "classifier.bias" }).tensor.scalars.map(Double.init)
                let rate = try file.readTensor("/rates/output").scalars.map(Double.init)
                let logits = try file.readTensor("/logits").scalars.map(Double.init)
                #expect(rate.count == 6 * 400 && logits.count == 6 * 10)
                var loss = 0.0, biasGradient = [Double](repeating: 0, count: 10)
                var weightGradient = [Double](repeating: 0, count: 4000)
                for n in 0..<6 {
                    let z = (0..<10).map { c in b[c] + (0..<400).reduce(0) { $0 + w[c * 400 + $1] * rate[n * 400 + $1] } }
                    for c in 0..<10 {
                        #expect(abs(z[c] - logits[n * 10 + c]) <= 2e-5 * max(1, abs(z[c])), "logit \(n), \(c)")
                    }
                    let top = z.max()!
                    let logSum = top + log(z.reduce(0) { $0 + exp($1 - top) })
                    loss += (logSum - z[labels[n]]) / 6
                    for c in 0..<10 {
                        let delta = (exp(z[c] - logSum) - (c == labels[n] ? 1 : 0)) / 6
                        biasGradient[c] += delta
                        for j in 0..<400 { weightGradient[c * 400 + j] += delta * rate[n * 400 + j] }
                    }
                }
                #expect(abs(try file.readScalar("/loss", as: Double.self) - loss) <= 2e-5 * max(1, loss))
                #expect(abs(Double(summary.loss) - loss) <= 2e-5 * max(1, loss))
                for (name, reference) in [("classifier.bias", biasGradient), ("classifier.weight", weightGradient)] {
                    let written = try file.readTensor("/gradients/\(name)").scalars.map(Double.init)
                    let scale = reference.map(abs).max()!
                    #expect(zip(written, reference).allSatisfy { abs($0 - $1) <= 2e-5 * scale }, "\(name)")
                }

                // The same request again draws the same masks and gives the same gradients.
                let again = fixture.data.directory.file("inspect/again.h5")
                _ = try GradientInspection(checkpoint: checkpoint, dataRoot: fixture.data.root, indices: indices).write(to: again)
                let second = try HDF5File.open(again)
                defer { try? second.close() }
                for name in names {
                    #expect(try second.readTensor("/gradients/\(name)").scalars == file.readTensor("/gradients/\(name)").scalars)
                }
            }
        }

        @Test func stbpWithoutDropoutOnTestSamplesHasNoMasksAndNoSolver() throws {
            let (fixture, checkpoint, _) = try Self.finishedRun()
            var inspection = GradientInspection(checkpoint: checkpoint, dataRoot: fixture.data.root, indices: [0, 1])
            inspection.method = .stbp
            inspection.dropout = false
            inspection.split = .test
            let output = fixture.data.directory.file("stbp.h5")
            let summary = try inspection.write(to: output)
            #expect(summary.method == .stbp && summary.solver == nil)
            let file = try HDF5File.open(output)
            defer { try? file.close() }
            #expect(try file.members(of: "/masks").isEmpty)
            #expect(try !file.contains("/solver"))
            #expect(try file.attribute("method", as: String.self) == "stbp" && file.attribute("split", as: String.self) == "test")
            #expect(try file.attribute("dropout", as: Bool.self) == false)

            inspection.indices = [0, 32]
            #expect(throws: InspectionError.indexOutOfRange(index: 32, split: "fashion-mnist/test", count: 32)) {
                try inspection.write(to: fixture.data.directory.file("bad.h5"))
            }
        }

        /// `--T` runs the batch with another number of time steps on the same weights: the file
        /// says which, the checkpoint's own T gives the default's gradients, another T others.
        @Test func timeStepsReplaceTheCheckpointsForTheBatch() throws {
            let (fixture, checkpoint, _) = try Self.finishedRun()
            func gradients(_ timeSteps: Int?) throws -> (timeSteps: Int, weight: [Float]) {
                var inspection = GradientInspection(checkpoint: checkpoint, dataRoot: fixture.data.root, indices: [0, 1, 2])
                inspection.method = .stbp
                inspection.dropout = false
                inspection.timeSteps = timeSteps
                let output = fixture.data.directory.file("t\(timeSteps ?? 0).h5")
                _ = try inspection.write(to: output)
                let file = try HDF5File.open(output)
                defer { try? file.close() }
                return (try file.attribute("time_steps", as: Int.self), try file.readTensor("/gradients/classifier.weight").scalars)
            }
            let standard = try gradients(nil)
            let same = try gradients(standard.timeSteps), longer = try gradients(standard.timeSteps + 3)
            #expect(same.timeSteps == standard.timeSteps && same.weight == standard.weight)
            #expect(longer.timeSteps == standard.timeSteps + 3 && longer.weight != standard.weight)
        }

        /// `--quirk` replaces the checkpoint's list for the batch, recorded as the root's @quirks; a
        /// quirk that cannot take effect on the model is refused, naming the rule. `--clamp-derivatives`
        /// adds D = 1[0 < p < 1] of the map and of J, one and the same at a for a single-layer model.
        @Test func quirksReplaceTheCheckpointsAndMustBeAbleToTakeEffect() throws {
            let (fixture, checkpoint, _) = try Self.finishedRun()
            var inspection = GradientInspection(checkpoint: checkpoint, dataRoot: fixture.data.root, indices: [0, 1])
            inspection.quirks = [.broydenNegFirstStep]
            inspection.clampDerivatives = true
            let output = fixture.data.directory.file("quirks.h5")
            _ = try inspection.write(to: output)
            let file = try HDF5File.open(output)
            #expect(try file.attribute("quirks", as: [String].self) == ["broyden_neg_first_step"])
            let map = try file.readTensor("/clamp_derivatives/map/hidden")
            #expect(map.shape == [2, 400] && map.scalars.allSatisfy { $0 == 0 || $0 == 1 } && map.scalars.contains(1))
            #expect(try file.readTensor("/clamp_derivatives/jacobian/hidden").scalars == map.scalars)
            try file.close()

            inspection.quirks = [.adjointLinearizedAtMapOutput]
            #expect(throws: InspectionError.inapplicableQuirks(["quirk 'adjoint_linearised_at_map_output' applies to IDE runs "
                + "of the multi-layer networks only (the released single-layer module linearises at a)"])) {
                try inspection.write(to: fixture.data.directory.file("refused.h5"))
            }
        }

        @Test func ratesAndConvergenceOfTheCheckpointAreWhatTheRunRecorded() throws {
            try withOneThread {
                let (fixture, checkpoint, record) = try Self.finishedRun()
                let rates = try RateInspection(checkpoint: checkpoint, dataRoot: fixture.data.root).measure()
                #expect(rates.rates == record.rates && rates.layerNames == ["hidden"])
                #expect(rates.testAccuracy == record.epochs.last?.testAccuracy)
                let ratesFile = fixture.data.directory.file("rates.h5")
                try rates.write(to: ratesFile)
                let file = try HDF5File.open(ratesFile)
                #expect(try file.read("/rates/rate", as: Double.self).values == record.rates?.rates)
                try file.close()

                var convergence = ConvergenceInspection(checkpoint: checkpoint, dataRoot: fixture.data.root)
                convergence.steps = 7
                convergence.batches = 2
                let trace = try convergence.measure().trace
                let recorded = try #require(record.convergence.first { $0.name == "trained" })
                #expect(trace.residualMean == recorded.residualMean && trace.samples == 16 && trace.epoch == 2)
                #expect(trace.residualStd.allSatisfy { $0.isFinite })
            }
        }
    }
}
