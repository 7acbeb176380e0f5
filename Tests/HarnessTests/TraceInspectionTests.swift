import Datasets
import Foundation
import HDF5
import Harness
import Tensor
import Testing

extension RunnerTests {
    /// `fsnn inspect trace` on the checkpoint of a finished F400 run (32 test samples).
    @Suite struct Trace {
        @Test func traceFileHoldsEveryStepOfTheSimulationThatCountedTheSpikes() throws {
            try withOneThread {
                let (fixture, checkpoint, _) = try Inspection.finishedRun()
                let output = fixture.data.directory.file("trace/sample-5.h5")
                let result = try TraceInspection(checkpoint: checkpoint, dataRoot: fixture.data.root, sample: 5)
                    .write(to: output)
                let label = try DatasetCatalog.load(.fashionMNIST, from: fixture.data.root).test.labels[5]
                let steps = result.timeSteps
                #expect(result.label == label && steps > 1 && result.layers.map(\.name) == ["hidden"])

                let file = try HDF5File.open(output)
                defer { try? file.close() }
                #expect(try file.members(of: "/layers") == ["hidden"])
                #expect(try file.shape(of: "/layers/hidden/spikes") == [steps, 400])
                #expect(try file.shape(of: "/layers/hidden/membrane") == [steps, 400])
                let spikes = try file.readTensor("/layers/hidden/spikes").scalars
                let membrane = try file.readTensor("/layers/hidden/membrane").scalars
                #expect(spikes.allSatisfy { $0 == 0 || $0 == 1 })
                #expect(zip(spikes, membrane).allSatisfy { ($0 == 1) == ($1 >= result.threshold) })
                #expect(Double(spikes.reduce(0, +)) == result.simulationSpikeCounts[0])
                #expect(result.simulationSpikeCounts[0] > 0, "some spikes, so the count is a real check")
                #expect(try file.attribute("spike_count", of: "/layers/hidden", as: Int.self) == result.layers[0].spikeCount)
                for group in ["/", "/layers/hidden"] {
                    #expect(try file.attribute("sample", of: group, as: Int.self) == 5)
                    #expect(try file.attribute("label", of: group, as: Int.self) == label)
                    #expect(try file.attribute("time_steps", of: group, as: Int.self) == steps)
                    #expect(try file.attribute("checkpoint", of: group, as: String.self) == checkpoint)
                }
                #expect(try file.attribute("layer", of: "/layers/hidden", as: String.self) == "hidden")
                #expect(try file.attribute("block", of: "/layers/hidden", as: String.self) == "input")
                if result.figureProblems.isEmpty {
                    #expect(result.figures == ["raster", "membrane"].map { fixture.data.directory.file("trace/sample-5-\($0).png") })
                    for png in result.figures { #expect(FileManager.default.fileExists(atPath: png), "\(png)") }
                }
            }
        }

        /// Each sample's traced spikes, summed over the whole test split, are the spikes the batched
        /// evaluation of `fsnn inspect rates` counts over it (the same simulation, batch of 1).
        @Test func tracedSpikesOverTheTestSetAreTheEvaluationsRates() throws {
            try withOneThread {
                let (fixture, checkpoint, _) = try Inspection.finishedRun()
                var rates = RateInspection(checkpoint: checkpoint, dataRoot: fixture.data.root)
                rates.testBatches = 4
                let measured = try rates.measure().rates
                #expect(measured.samples == 32)
                var spikes = 0
                for sample in 0..<32 {
                    var trace = TraceInspection(checkpoint: checkpoint, dataRoot: fixture.data.root, sample: sample)
                    trace.drawFigures = false
                    let result = try trace.write(to: fixture.data.directory.file("trace-\(sample).h5"))
                    #expect(result.timeSteps == measured.timeSteps)
                    spikes += result.layers[0].spikeCount
                }
                #expect(abs(Double(spikes) / Double(400 * measured.timeSteps * 32) - measured.rates[0]) <= 1e-12)
            }
        }

        @Test func aSampleOutsideTheSplitIsATypedErrorNamingIt() throws {
            let (fixture, checkpoint, _) = try Inspection.finishedRun()
            for sample in [32, -1] {
                let inspection = TraceInspection(checkpoint: checkpoint, dataRoot: fixture.data.root, sample: sample)
                #expect(throws: InspectionError.indexOutOfRange(index: sample, split: "fashion-mnist/test", count: 32)) {
                    try inspection.write(to: fixture.data.directory.file("bad.h5"))
                }
            }
            #expect(InspectionError.indexOutOfRange(index: 32, split: "fashion-mnist/test", count: 32).description
                .contains("sample 32 "))
        }
    }
}
