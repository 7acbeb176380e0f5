import Datasets
import FSNN

/// A checkpoint's model rebuilt for inspection: a session made as the run made it (the stored
/// training configuration, data limits and seed) on the stored dataset or another one of the same
/// sample shape, with the checkpoint's complete state loaded.
struct CheckpointedModel {
    let path: String
    let identity: RunIdentity
    let progress: TrainingProgress
    let session: TrainingSession

    /// Loads `path`; `adjust` may change the configuration (gradient method, dropout) and
    /// `adjustLimits` the stored data limits. CIFAR training images are read without
    /// augmentation, so every sample is the image itself.
    init(_ path: String, dataRoot: DataRoot, dataset: DatasetName?,
         adjust: (inout TrainingConfiguration) -> Void = { _ in },
         adjustLimits: (inout DataLimits) -> Void = { _ in }) throws {
        let checkpoint = try Checkpoint.read(path)
        let identity = try RunIdentity(entries: checkpoint.metadata, file: path)
        var configuration = identity.configuration
        adjust(&configuration)
        let data = try DatasetCatalog.load(dataset ?? identity.datasetUsed, from: dataRoot,
                                           options: configuration.datasetOptions(augmentation: false))
        var limits = identity.limits
        adjustLimits(&limits)
        let session = try TrainingSession(configuration: configuration, dataset: data, seed: UInt64(identity.seed),
                                          limits: limits)
        try session.restore(from: checkpoint, file: path)
        self.path = path
        self.identity = identity
        progress = checkpoint.progress
        self.session = session
    }
}
