import FSNN
import Foundation
import Harness
import Tensor
import TestSupport
import Testing

/// `tools/export_pytorch.py --list` (numpy and h5py only, Debian's python3-h5py from `make setup`)
/// on a checkpoint of every zoo model: the state_dict it would write has exactly the names, shapes and
/// dtypes of the released reference code's model (Fixtures/reference-state-dicts.txt), and every fsnn
/// tensor goes somewhere; `--names fsnn` keeps the checkpoint's names and shapes.
@Suite struct ExportScriptTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = root.appendingPathComponent("tools/export_pytorch.py").path

    struct Entry: Decodable, Equatable {
        var name: String
        var shape: [Int]
        var dtype: String
        var source: String
    }

    struct Listing: Decodable {
        var model: String
        /// What does not carry over (the operator-norm feedback of a checkpoint without quirk B9).
        var notes: [String]
        var entries: [Entry]
    }

    /// The reference's state_dict per model: name → "shape dtype" with shapes as the fixture writes them.
    static func referenceStateDicts() throws -> [String: [String: String]] {
        let text = try String(contentsOf: root.appendingPathComponent("Tests/HarnessTests/Fixtures/reference-state-dicts.txt"),
                              encoding: .utf8)
        var models: [String: [String: String]] = [:], current = ""
        for line in text.split(separator: "\n") where !line.hasPrefix("# ") {
            if line.hasPrefix("## ") {
                current = String(line.dropFirst(3))
                continue
            }
            let fields = line.split(separator: " ")
            models[current, default: [:]][String(fields[0])] = "\(fields[1]) \(fields[2])"
        }
        return models
    }

    /// A checkpoint holding `model`'s freshly built weights and buffers and the metadata the script reads.
    static func writeCheckpoint(_ model: ModelName, quirks: Set<Quirk>, to path: String) throws -> [(String, [Int])] {
        var configuration = TrainingConfiguration(model: model, timeSteps: 4)
        configuration.quirks = quirks
        var generator = RandomGenerator(seed: 7)
        let network = try ModelZoo.make(configuration, generator: &generator)
        let json = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        let checkpoint = Checkpoint(
            weights: network.namedParameters.map { NamedTensor($0.name, $0.parameter.value) },
            buffers: network.namedBuffers.map { NamedTensor($0.name, $0.tensor) },
            progress: TrainingProgress(epoch: 1, iteration: 1, bestAccuracy: 0, bestEpoch: 1),
            metadata: [ConfigEntry(name: "training_configuration", value: .string(json))])
        try checkpoint.write(to: path)
        return (network.namedParameters.map { ($0.name, $0.parameter.shape) }
            + network.namedBuffers.map { ($0.name, $0.tensor.shape) })
    }

    static func list(_ checkpoint: String, names: String) throws -> Listing {
        let (status, output) = try #require(try runTool("python3", [script, checkpoint, "--list", "--names", names]),
                                            "python3 is not installed (make setup)")
        try #require(status == 0, "export_pytorch.py --list failed (numpy and h5py come from make setup):\n\(output)")
        return try JSONDecoder().decode(Listing.self, from: Data(output.utf8))
    }

    static func describe(_ shape: [Int]) -> String { shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "x") }

    @Test(arguments: ModelName.allCases.map { ($0, Set<Quirk>()) }
        + [ModelName.mnist64C5sF64C5, .nmnist64C5sF64C5P1, .alexnetF].map { ($0, Set([Quirk.spectralReshapedKernelNorm])) })
    func referenceNamesAndShapesMatchTheReferenceModel(model: ModelName, quirks: Set<Quirk>) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("model.checkpoint.h5")
        let tensors = try Self.writeCheckpoint(model, quirks: quirks, to: path)
        let listing = try Self.list(path, names: "reference")
        #expect(listing.model == model.rawValue)
        let operatorNorm = model != .fmnistF400 && !quirks.contains(.spectralReshapedKernelNorm)
        #expect(listing.notes.isEmpty == !operatorNorm, "\(listing.notes)")
        let expected = try #require(try Self.referenceStateDicts()[model.rawValue], "no reference state_dict of \(model)")
        let written = Dictionary(listing.entries.map { ($0.name, "\(Self.describe($0.shape)) \($0.dtype)") },
                                 uniquingKeysWith: { first, _ in first })
        #expect(written.count == listing.entries.count, "each name is written once")
        for (name, shapeAndType) in expected { #expect(written[name] == shapeAndType, "\(model): \(name)") }
        #expect(Set(written.keys).subtracting(expected.keys).isEmpty, "\(model): names the reference does not have")
        let sources = Set(listing.entries.map(\.source))
        for (name, _) in tensors { #expect(sources.contains(name), "\(model): \(name) is not exported") }
    }

    @Test func fsnnNamesKeepTheCheckpointsNamesAndShapes() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("model.checkpoint.h5")
        let tensors = try Self.writeCheckpoint(.alexnetF, quirks: [], to: path)
        let entries = try Self.list(path, names: "fsnn").entries
        #expect(entries.map(\.name) == tensors.map(\.0))
        #expect(entries.map(\.shape) == tensors.map(\.1))
        #expect(entries.map(\.dtype) == tensors.map { $0.0.hasSuffix("num_batches_tracked") ? "int64" : "float32" })
    }
}
