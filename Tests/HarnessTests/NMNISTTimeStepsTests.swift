import Datasets
import Foundation
import FSNN
import Harness
import Tensor
import Testing
import TestSupport

/// A data root with a generated N-MNIST in the real on-disk layout (`nmnist/{Train,Test}/<label>/
/// <id>.bin`, 5-byte events: x, y, polarity bit + 23-bit timestamp in µs): `perLabel` training
/// and one test recording per label, 150 events each over about 150 ms.
struct GeneratedNMNIST {
    let directory: TemporaryDirectory
    var root: DataRoot { DataRoot(path: directory.file("data")) }

    init(perLabel: Int = 2) throws {
        directory = try TemporaryDirectory()
        var generator = RandomGenerator(seed: 20_211_207)
        for (split, count) in [("Train", perLabel), ("Test", 1)] {
            for label in 0..<10 {
                let folder = directory.file("data/nmnist/\(split)/\(label)")
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for sample in 0..<count {
                    var bytes: [UInt8] = [], time = 0
                    for _ in 0..<150 {
                        time += generator.nextInt(below: 2000)
                        let (x, y, polarity) = (generator.nextInt(below: 34), generator.nextInt(below: 34), generator.nextInt(below: 2))
                        bytes += [UInt8(x), UInt8(y), UInt8(polarity << 7 | time >> 16), UInt8(truncatingIfNeeded: time >> 8),
                                  UInt8(truncatingIfNeeded: time)]
                    }
                    try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(String(format: "%05d", sample + 1)).bin"))
                }
            }
        }
    }
}

extension RunnerTests {
    /// N-MNIST frames follow T on every path, not only the runner's: `fsnn bench train` (default
    /// T 5) and `fsnn train` with T ≠ 30 used to read 30 frames and fail with "network input has
    /// shape [B, 30, 2, 34, 34]; expected [B, 5, C, H, W]".
    @Suite struct NMNISTTimeSteps {
        static func settings(_ model: ModelName, timeSteps: Int, method: TrainingMethod = .ide) throws -> ResolvedSettings {
            var settings = CommandLineSettings()
            settings.set(\.method, method, option: "--method")
            settings.set(\.model, model, option: "--model")
            settings.set(\.dataset, .nmnist, option: "--dataset")
            settings.set(\.neuronType, .integrateAndFire, option: "--neuron")
            settings.set(\.timeSteps, timeSteps, option: "--T")
            settings.set(\.batchSize, 4, option: "--batch")
            settings.set(\.epochs, 1, option: "--epochs")
            settings.set(\.trainSubset, 8, option: "--train-subset")
            settings.set(\.seeds, [0], option: "--seed")
            return try settings.resolve()
        }

        @Test func benchTrainReadsFramesForItsT() throws {
            try withOneThread {
                let data = try GeneratedNMNIST()
                var lines: [String] = []
                // STBP: one measured variant (IDE adds a forced-cap one), the same data path.
                let benchmark = TrainBenchmark(settings: try Self.settings(.nmnist64C5sF64C5P1, timeSteps: 5, method: .stbp),
                                               root: data.root, warmups: 0, iterations: 1)
                let rows = try benchmark.run { lines.append($0) }
                #expect(lines.first == "real nmnist batches", "\(lines)")
                #expect(rows.count == 1 && rows.allSatisfy { $0.total.median > 0 })
                let epoch = try #require(try benchmark.realEpoch())
                #expect(epoch.dataset == .nmnist && epoch.batches == 5)  // 20 training samples, batches of 4
            }
        }

        @Test(arguments: [5, 12])
        func adHocTrainingReadsFramesForItsT(_ timeSteps: Int) throws {
            try withOneThread {
                let data = try GeneratedNMNIST()
                let lines = try AdHocTraining.run(try Self.settings(.nmnist64C5sF64C5P2, timeSteps: timeSteps), root: data.root)
                #expect(lines.count == 1 && lines[0].testAccuracy.isFinite)
            }
        }

        @Test func fsnnTrainOnNMNISTWithFiveSteps() throws {
            try #require(FileManager.default.isExecutableFile(atPath: CommandLine.executable), "build fsnn first: swift build")
            let data = try GeneratedNMNIST()
            let (status, output) = try CommandLine.finish([
                "train", "--model", "nmnist_64c5s_f64c5_p2", "--dataset", "nmnist", "--T", "5", "--batch", "4",
                "--train-subset", "8", "--threads", "1", "--data-dir", data.root.path,
            ])
            #expect(status == 0, "\(output)")
            #expect(output.contains("epoch 1/1 "), "\(output)")
        }

        /// A session refuses data read for another T with a message that says so.
        @Test func aSessionRefusesFramesOfAnotherT() throws {
            let data = try GeneratedNMNIST()
            let configuration = try Self.settings(.nmnist64C5sF64C5P2, timeSteps: 5).training
            let thirty = try DatasetCatalog.load(.nmnist, from: data.root)
            #expect(throws: TrainingSessionError.sampleShape(dataset: .nmnist, shape: [30, 2, 34, 34],
                                                             model: .nmnist64C5sF64C5P2, expected: [5, 2, 34, 34])) {
                try TrainingSession(configuration: configuration, dataset: thirty, seed: 0)
            }
        }
    }
}
