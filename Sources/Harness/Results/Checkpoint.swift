import FSNN
import HDF5
import Tensor

/// The state of a run that resuming needs, as a checkpoint file under the git-ignored `runs/`:
///
/// ```
/// /weights/<name>      Float32 tensors in PyTorch layouts (OIHW, IOHW, out×in), model order
/// /buffers/<name>      non-trained state (BN running statistics, power-iteration vectors u, v)
/// /optimizer/<name>    optimiser tensors (momentum buffers, Adam moments); @<scalar> on /optimizer
/// /rng/<stream>        xoshiro256** states, 4 × UInt64
/// /progress            @epoch @iteration @best_accuracy @best_epoch, @<scalar> (schedule, warm-up)
/// /metadata            @<name> strings and numbers identifying the run
/// ```
///
/// The file API is generic: the trainer decides the names. Names may contain dots but not '/'.
public struct Checkpoint: Sendable {
    public var weights: [NamedTensor]
    public var buffers: [NamedTensor]
    public var optimizerTensors: [NamedTensor]
    /// Scalar optimiser state (step count, …).
    public var optimizerScalars: [String: Double]
    /// Generators by stream name (`init`, `dropout`, `batches`, …).
    public var randomStreams: [String: RandomGenerator]
    public var progress: TrainingProgress
    /// Identifies the run (table, row, seed, profile, …); checked on resume by the runner.
    public var metadata: [ConfigEntry]

    public init(weights: [NamedTensor], buffers: [NamedTensor] = [], optimizerTensors: [NamedTensor] = [],
                optimizerScalars: [String: Double] = [:], randomStreams: [String: RandomGenerator] = [:],
                progress: TrainingProgress, metadata: [ConfigEntry] = []) {
        self.weights = weights
        self.buffers = buffers
        self.optimizerTensors = optimizerTensors
        self.optimizerScalars = optimizerScalars
        self.randomStreams = randomStreams
        self.progress = progress
        self.metadata = metadata
    }

    /// Writes the checkpoint to `path` atomically (temporary file, fsync, rename), creating
    /// parent directories: a crash leaves the previous checkpoint intact.
    public func write(to path: String) throws {
        try OutputFile.writeHDF5(to: path) { file in
            try Self.writeTensors(weights, group: "/weights", into: file)
            try Self.writeTensors(buffers, group: "/buffers", into: file)
            try Self.writeTensors(optimizerTensors, group: "/optimizer", into: file)
            for (name, value) in optimizerScalars.sorted(by: { $0.key < $1.key }) {
                try file.setAttribute(try ResultStore.linkName(name, file: path), value, on: "/optimizer")
            }
            try file.createGroup("/rng")
            for (name, generator) in randomStreams.sorted(by: { $0.key < $1.key }) {
                try file.write(generator.state, to: "/rng/\(try ResultStore.linkName(name, file: path))")
            }
            try file.createGroup("/progress")
            try file.setAttribute("epoch", progress.epoch, on: "/progress")
            try file.setAttribute("iteration", progress.iteration, on: "/progress")
            try file.setAttribute("best_accuracy", progress.bestAccuracy, on: "/progress")
            try file.setAttribute("best_epoch", progress.bestEpoch, on: "/progress")
            for (name, value) in progress.scalars.sorted(by: { $0.key < $1.key }) {
                guard !TrainingProgress.fixedNames.contains(name) else {
                    throw RunFileError.invalidName(file: path, name: name, reason: "reserved in /progress")
                }
                try file.setAttribute(try ResultStore.linkName(name, file: path), value, on: "/progress")
            }
            try file.createGroup("/metadata")
            for entry in metadata { try file.setAttribute(entry.name, entry.value, on: "/metadata") }
        }
    }

    /// Reads the checkpoint at `path`; tensors come back in the order they were written.
    public static func read(_ path: String) throws -> Checkpoint {
        let file = try OutputFile.openHDF5(path)
        defer { try? file.close() }
        try RunFileKind.checkpoint.check(file)
        var streams: [String: RandomGenerator] = [:]
        for name in try file.members(of: "/rng") {
            let state = try file.read("/rng/\(name)", as: UInt64.self)
            guard state.shape == [4], let generator = RandomGenerator(state: state.values) else {
                throw RunFileError.invalidLayout(file: path, object: "/rng/\(name)",
                                                 reason: "a generator state is 4 UInt64 words, not all zero")
            }
            streams[name] = generator
        }
        var optimizerScalars: [String: Double] = [:]
        for (name, value) in try file.attributes(of: "/optimizer") {
            guard let number = Double(hdf5AttributeValue: value) else {
                throw RunFileError.invalidLayout(file: path, object: "/optimizer@\(name)", reason: "expected a number")
            }
            optimizerScalars[name] = number
        }
        return Checkpoint(
            weights: try readTensors(group: "/weights", from: file), buffers: try readTensors(group: "/buffers", from: file),
            optimizerTensors: try readTensors(group: "/optimizer", from: file), optimizerScalars: optimizerScalars,
            randomStreams: streams, progress: try readProgress(from: file), metadata: try readMetadata(from: file))
    }

    /// Reads only the `/progress` and `/metadata` of the checkpoint at `path` (no tensors): what
    /// a runner needs to decide whether a run can resume from it.
    public static func readSummary(_ path: String) throws -> (progress: TrainingProgress, metadata: [ConfigEntry]) {
        let file = try OutputFile.openHDF5(path)
        defer { try? file.close() }
        try RunFileKind.checkpoint.check(file)
        return (try readProgress(from: file), try readMetadata(from: file))
    }

    private static func readProgress(from file: HDF5File) throws -> TrainingProgress {
        var progress = TrainingProgress(
            epoch: try file.attribute("epoch", of: "/progress"), iteration: try file.attribute("iteration", of: "/progress"),
            bestAccuracy: try file.attribute("best_accuracy", of: "/progress"),
            bestEpoch: try file.attribute("best_epoch", of: "/progress"))
        for (name, value) in try file.attributes(of: "/progress") where !TrainingProgress.fixedNames.contains(name) {
            guard let number = Double(hdf5AttributeValue: value) else {
                throw RunFileError.invalidLayout(file: file.path, object: "/progress@\(name)", reason: "expected a number")
            }
            progress.scalars[name] = number
        }
        return progress
    }

    private static func readMetadata(from file: HDF5File) throws -> [ConfigEntry] {
        try file.attributes(of: "/metadata").map { ConfigEntry(name: $0.name, value: $0.value) }
    }

    private static func writeTensors(_ tensors: [NamedTensor], group: String, into file: HDF5File) throws {
        try file.createGroup(group)
        var seen: Set<String> = []
        for named in tensors {
            let name = try ResultStore.linkName(named.name, file: file.path)
            guard seen.insert(name).inserted else {
                throw RunFileError.invalidName(file: file.path, name: name, reason: "appears twice in \(group)")
            }
            try file.write(named.tensor, to: "\(group)/\(name)")
        }
    }

    private static func readTensors(group: String, from file: HDF5File) throws -> [NamedTensor] {
        try file.members(of: group).map { NamedTensor($0, try file.readTensor("\(group)/\($0)")) }
    }
}

/// How far training got: enough to continue the epoch loop and the LR schedule exactly.
public struct TrainingProgress: Equatable, Sendable {
    /// Epochs completed (the next epoch is `epoch + 1`).
    public var epoch: Int
    /// Training iterations completed over all epochs (drives warm-up and the schedule).
    public var iteration: Int
    /// Best test accuracy so far (percent) and its epoch; 0 and 0 before any evaluation.
    public var bestAccuracy: Double
    public var bestEpoch: Int
    /// Further schedule state the trainer needs (warm-up counter, current learning rate, …).
    public var scalars: [String: Double]

    static let fixedNames: Set<String> = ["epoch", "iteration", "best_accuracy", "best_epoch"]

    public init(epoch: Int, iteration: Int, bestAccuracy: Double, bestEpoch: Int, scalars: [String: Double] = [:]) {
        self.epoch = epoch
        self.iteration = iteration
        self.bestAccuracy = bestAccuracy
        self.bestEpoch = bestEpoch
        self.scalars = scalars
    }
}
