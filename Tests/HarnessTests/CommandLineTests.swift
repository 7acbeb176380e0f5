import Datasets
import FSNN
import Foundation
import Harness
import Testing

/// `fsnn train`, `bench train`, `run` and `inspect` check their options as experiment files are
/// checked, naming the option.
@Suite struct CommandLineTests {
    /// `fsnn train` settings for F400 on Fashion-MNIST with `edit` applied.
    static func settings(_ edit: (inout CommandLineSettings) -> Void = { _ in }) -> CommandLineSettings {
        var settings = CommandLineSettings()
        settings.set(\.model, .fmnistF400, option: "--model")
        settings.set(\.dataset, .fashionMNIST, option: "--dataset")
        settings.set(\.neuronType, .integrateAndFire, option: "--neuron")
        settings.set(\.timeSteps, 5, option: "--T")
        settings.set(\.seeds, [0], option: "--seed")
        edit(&settings)
        return settings
    }

    static func lines(_ settings: CommandLineSettings) -> [String] {
        do {
            _ = try settings.resolve()
            return []
        } catch {
            return error.lines
        }
    }

    @Test func valuesAreCheckedAgainstTheirSettingsBoundsWithTheOptionName() {
        let steps = Self.lines(Self.settings { $0.set(\.timeSteps, 0, option: "--T") })
        #expect(steps.count == 1 && steps[0].hasPrefix("--T 0: T = 0 must be positive; time steps must be in 1…10000 (")
            && steps[0].hasSuffix("one batch takes hours on a 2-core machine)"), "\(steps)")
        #expect(Self.lines(Self.settings { $0.set(\.epochs, -1, option: "--epochs") }).first?
            .hasPrefix("--epochs -1: -1 must be positive; epochs must be in 1…10000 (") == true)
        #expect(Self.lines(Self.settings { $0.set(\.learningRate, 1e-50, option: "--lr") }).first?
            .hasPrefix("--lr 1e-50: 1e-50 underflows to 0 in Float32") == true)
        let several = Self.lines(Self.settings {
            $0.set(\.epochs, 0, option: "--epochs")
            $0.set(\.batchSize, 100_000, option: "--batch")
        })
        #expect(several.count == 2 && several[0].hasPrefix("--epochs 0:") && several[1].hasPrefix("--batch 100000: 100000 exceeds 4096"))
    }

    @Test func optionsMustApplyToTheRunAndQuirksMustBeAbleToTakeEffect() {
        #expect(Self.lines(Self.settings {
            $0.set(\.neuronType, .leaky, option: "--neuron")
            $0.set(\.lambda, 2, option: "--lambda")
        }) == ["--lambda 2.0: 2.0 is outside (0, 1] (λ scales the potential each step: 1 is no leak, 0 would erase it)"])
        #expect(Self.lines(Self.settings { $0.set(\.lambda, 0.9, option: "--lambda") })
            == ["--lambda 0.9: lambda applies to lif neurons only; IF has no leak"])
        #expect(Self.lines(Self.settings {
            $0.set(\.method, .stbp, option: "--method")
            $0.set(\.solver, .anderson, option: "--solver")
        }) == ["--solver anderson: solver applies to IDE runs only"])
        #expect(Self.lines(Self.settings { $0.set(\.quirks, [.nmnistIterSolver2I], option: "--quirk") })
            == ["--quirk: quirk 'nmnist_iter_solver_2I' applies to IDE runs on N-MNIST only"])
        #expect(Self.lines(Self.settings { $0.set(\.model, .alexnetF, option: "--model") }).first?
            .hasPrefix("--model alexnet_f: model 'alexnet_f' does not read fashion-mnist") == true)
    }

    @Test func theConfigurationFollowsTheOptionsAndTheDatasetRules() throws {
        let lif = try Self.settings {
            $0.set(\.neuronType, .leaky, option: "--neuron")
            $0.set(\.lambda, 0.9, option: "--lambda")
        }.resolve()
        #expect(lif.training.neuron == .leaky(lambda: 0.9))
        let cifar100 = try Self.settings {
            $0.set(\.model, .alexnetF, option: "--model")
            $0.set(\.dataset, .cifar100, option: "--dataset")
        }.resolve()
        #expect(cifar100.training.classCount == 100 && cifar100.run.augmentation)
        let padding1 = try Self.settings {
            $0.set(\.model, .nmnist64C5sF64C5P1, option: "--model")
            $0.set(\.dataset, .nmnist, option: "--dataset")
        }.resolve()
        #expect(padding1.training.quirks == [.nmnistInputConvPad1], "the padding-1 model implies its quirk")
    }
}

extension RunnerTests.CommandLine {
    /// Runs the debug executable to its end; its status and its output.
    static func finish(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let (process, pipe) = try launch(arguments)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test(arguments: [
        (["--T", "0"], "--T 0: T = 0 must be positive; time steps must be in 1…10000 ("),
        (["--T", "5", "--epochs=-1"], "--epochs -1: -1 must be positive"),
        (["--T", "5", "--epochs", "0"], "--epochs 0: 0 must be positive"),
        (["--T", "5", "--neuron", "lif", "--lambda", "2"], "--lambda 2.0: 2.0 is outside (0, 1]"),
        (["--T", "5", "--threads", "0"], "--threads 0: threads must be in 1…256"),
        (["--T", "5", "--quirk", "nmnist_iter_solver_2I"], "--quirk: quirk 'nmnist_iter_solver_2I' applies to IDE runs on N-MNIST only"),
        (["--T", "5", "--neuron", "lf"], "The value 'lf' is invalid for '--neuron <neuron>'"),
    ])
    func trainRefusesInvalidOptionsBeforeAnyWork(_ options: [String], _ message: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build fsnn first: swift build")
        let (status, output) = try Self.finish(["train", "--model", "fmnist_f400", "--dataset", "fashion-mnist",
                                                "--data-dir", "/nonexistent"] + options)
        #expect(status == 64, "\(output)")
        #expect(output.contains(message), "\(output)")
    }

    @Test func benchRunAndInspectRefuseInvalidOptions() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build fsnn first: swift build")
        let cases: [([String], String)] = [
            (["bench", "train", "--neuron", "lf"], "The value 'lf' is invalid for '--neuron <neuron>'"),
            (["bench", "train", "--T", "0"], "--T 0: T = 0 must be positive"),
            (["bench", "train", "--workers", "0"], "--workers 0: threads must be in 1…256"),
            (["run", "experiments/none.yaml", "--seeds", "0-99999999999"], "the list has more than 100000 numbers"),
            (["run", "experiments/none.yaml", "--seeds", "0-1000"], "1001 seeds are too many"),
            (["run", "experiments/none.yaml", "--jobs", "0"], "--jobs 0: runs at a time must be in 1…256"),
            (["inspect", "convergence", "--checkpoint", "x.h5", "--steps", "0"], "--steps 0: 0 must be positive"),
            (["inspect", "rates", "--checkpoint", "x.h5", "--test-batches", "0"], "--test-batches 0: 0 must be positive"),
            (["inspect", "grads", "--checkpoint", "x.h5", "--indices", "0-4096", "--out", "g.h5"],
             "--indices 4097: 4097 exceeds 4096; the batch size must be in 1…4096"),
        ]
        for (arguments, message) in cases {
            let (status, output) = try Self.finish(arguments)
            #expect(status == 64, "\(arguments): \(output)")
            #expect(output.contains(message), "\(arguments): \(output)")
        }
    }
}
