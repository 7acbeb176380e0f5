import Datasets
import FSNN
import Harness
import Testing

@Suite struct ExperimentResolutionTests {
    private let text = """
        table: demo
        title: Demo
        kind: accuracy
        defaults:
          neuron: {lambda: 0.95}
          time_steps: 30
          learning_rate: 0.05
          epochs: 100
          batch_size: 128
          seeds: [0, 1, 2]
          quirks: [input_bn_double_update]
        profiles:
          paper: {}
          quick: {epochs: 2, train_subset: 5000, seeds: [7]}
          smoke: {epochs: 1, batch_size: 16, train_batches: 2, test_batches: 1, seeds: [0]}
        rows:
          - id: plain
            dataset: mnist
            model: mnist_64c5s_f64c5
            neuron: lif
          - id: overriding
            dataset: fashion-mnist
            model: fmnist_f400
            neuron: if
            time_steps: 5
            epochs: 50
            quirks: []
            profiles:
              quick: {epochs: 3, train_subset: 60000}
          - id: overriding-stbp
            twin: overriding
            dataset: fashion-mnist
            model: fmnist_f400
            neuron: if
            time_steps: 5
            epochs: 50
            quirks: []
            method: stbp
            surrogate: sigmoid
            surrogate_parameter: 4
            profiles:
              quick: {epochs: 3, train_subset: 60000}
        """

    // Each resolution check is a test of its own: a debug build keeps every `#expect` operand of
    // a function in its frame, and one frame holding all of them overflowed the test thread's stack
    // once `TrainingConfiguration` grew by a field.

    @Test func defaultsThenProfileThenRowThenRowProfile() throws {
        let experiment = try Experiment(text: text, path: "demo.yaml")
        let paper = try #require(experiment.run("plain", profile: .paper))
        #expect(paper.training.epochs == 100)
        #expect(paper.training.timeSteps == 30)
        #expect(paper.training.neuron == .leaky(lambda: 0.95))
        #expect(paper.training.quirks == [.inputBNDoubleUpdate])
        #expect(paper.seeds == [0, 1, 2])
        #expect(paper.trainSubset == nil)
        #expect(paper.training.classCount == 10)
        #expect(paper.label == "mnist · mnist_64c5s_f64c5 · LIF λ=0.95 · T=30 · ide")
    }

    @Test func aProfileOverridesTheDefaults() throws {
        let experiment = try Experiment(text: text, path: "demo.yaml")
        let quick = try #require(experiment.run("plain", profile: .quick))
        #expect(quick.training.epochs == 2)          // profile over defaults
        #expect(quick.trainSubset == 5000)
        #expect(quick.seeds == [7])
        #expect(quick.training.batchSize == 128)     // untouched by the profile

        let smoke = try #require(experiment.run("plain", profile: .smoke))
        #expect(smoke.training.batchSize == 16 && smoke.trainBatches == 2 && smoke.testBatches == 1)
    }

    @Test func aRowOverridesTheProfileAndARowProfileTheRow() throws {
        let experiment = try Experiment(text: text, path: "demo.yaml")
        let row = try #require(experiment.run("overriding", profile: .paper))
        #expect(row.training.epochs == 50)           // row over defaults
        #expect(row.training.timeSteps == 5)
        #expect(row.training.neuron == .integrateAndFire)  // inherited lambda ignored for IF
        #expect(row.training.quirks.isEmpty)         // lists replace

        let rowQuick = try #require(experiment.run("overriding", profile: .quick))
        #expect(rowQuick.training.epochs == 3)       // row's profile over row and profile
        #expect(rowQuick.trainSubset == 60000)
        #expect(rowQuick.seeds == [7])               // profile value the row does not touch

        let rowSmoke = try #require(experiment.run("overriding", profile: .smoke))
        #expect(rowSmoke.training.epochs == 50)      // row over profile
    }

    @Test func aTwinResolvesWithItsMethodsOptions() throws {
        let experiment = try Experiment(text: text, path: "demo.yaml")
        let twin = try #require(experiment.run("overriding-stbp", profile: .quick))
        #expect(twin.training.method == .stbp && twin.twin == "overriding")
        #expect(twin.training.surrogate == .sigmoid && twin.training.surrogateParameter == 4)
    }

    @Test func pathsAndConfigAttributes() throws {
        let experiment = try Experiment(text: text, path: "demo.yaml")
        let run = try #require(experiment.run("plain", profile: .paper))
        #expect(run.resultPath(in: "results", seed: 2) == "results/demo/plain/seed-2.h5")
        #expect(run.checkpointPath(in: "runs", seed: 2) == "runs/demo/plain/seed-2.checkpoint.h5")
        let attributes = Dictionary(uniqueKeysWithValues: run.settingAttributes.map { ($0.name, $0.value) })
        #expect(attributes["lambda"] == .double(0.95))   // the decimal written, not Float(0.95) widened
        #expect(attributes["learning_rate"] == .double(0.05))
        #expect(attributes["neuron"] == .string("lif"))
        #expect(attributes["quirks"] == .strings(["input_bn_double_update"]))
        #expect(attributes["milestones"] == .integers([30, 60, 90]))
        #expect(attributes["train_subset"] == nil)
    }

    @Test func table1HasThePaperRowsAndTwins() throws {
        let table1 = try Experiment(contentsOf: "\(CommittedExperiments.directory)/table1_mnist_fmnist.yaml")
        let mnistLIF = try #require(table1.run("mnist-lif", profile: .paper))
        #expect(mnistLIF.paper == PaperResult(mean: 99.53, std: 0.04, best: 99.59))
        #expect(mnistLIF.training.neuron == .leaky(lambda: 0.95) && mnistLIF.training.timeSteps == 30)
        #expect(mnistLIF.seeds.count == 5)
        #expect(mnistLIF.training.quirks == [.spectralReshapedKernelNorm])
        let fmnist = try #require(table1.run("fmnist-if", profile: .paper))
        #expect(fmnist.training.timeSteps == 5 && fmnist.training.model == .fmnistF400)
        let ideRows = table1.runs(.paper).filter { $0.training.method == .ide }
        let stbpRows = table1.runs(.paper).filter { $0.training.method == .stbp }
        #expect(Set(stbpRows.compactMap(\.twin)) == Set(ideRows.map(\.row)))
    }

    @Test func table2HasTheFaithfulAndCorrectedRows() throws {
        let table2 = try Experiment(contentsOf: "\(CommittedExperiments.directory)/table2_nmnist.yaml")
        let faithful = try #require(table2.run("nmnist-lif-faithful", profile: .smoke))
        #expect(faithful.training.quirks == [.nmnistIterSolver2I, .lifInputAverageAlias, .nmnistInputConvPad1,
                                             .spectralReshapedKernelNorm])
        #expect(faithful.training.model == .nmnist64C5sF64C5P1)
        #expect(try #require(table2.run("nmnist-lif", profile: .paper)).training.quirks.isEmpty)
    }

    @Test func table3HasThePaperRows() throws {
        let table3 = try Experiment(contentsOf: "\(CommittedExperiments.directory)/table3_cifar.yaml")
        let cifar = try #require(table3.run("cifar10-cifarnet-lif-t100", profile: .paper))
        #expect(cifar.training.neuron == .leaky(lambda: 0.99) && cifar.training.warmupIterations == 400)
        #expect(cifar.training.milestones == [50, 75] && cifar.augmentation)
        #expect(cifar.datasetFallback == .cifar10Subset)
        #expect(cifar.paper == PaperResult(mean: 92.52, std: 0.17, best: 92.82))
        let cifar100 = try #require(table3.run("cifar100-alexnet-if-t100", profile: .paper))
        #expect(cifar100.training.classCount == 100 && cifar100.datasetFallback == nil)
        #expect(table3.runs(.paper).filter { $0.paper != nil }.count == 13)
    }

    @Test func table4AndTheFigureMeasureWhatTheyShow() throws {
        let table4 = try Experiment(contentsOf: "\(CommittedExperiments.directory)/table4_memory.yaml")
        #expect(Set(table4.runs(.paper).map(\.training.timeSteps)) == [5, 10, 30, 100])
        #expect(table4.runs(.paper).allSatisfy { $0.training.batchSize == 128 && $0.trainBatches != nil })

        let figure = try Experiment(contentsOf: "\(CommittedExperiments.directory)/figure_convergence.yaml")
        #expect(figure.runs(.paper).allSatisfy { $0.convergence?.steps == 300 })
        #expect(figure.runs(.smoke).allSatisfy { $0.convergence?.steps == 30 && $0.convergence?.batches == 1 })
    }
}
