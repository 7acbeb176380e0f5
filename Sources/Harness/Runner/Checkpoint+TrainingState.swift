import FSNN

/// The mapping between a session's `TrainingState` and its checkpoint file
/// (docs/results-layout.md):
///
/// | checkpoint | training state |
/// |---|---|
/// | `/weights/<name>`, `/buffers/<name>` | `weights`, `buffers` |
/// | `/optimizer/<name>`, `/optimizer@<name>` | `optimizer.tensors`, `optimizer.scalars` |
/// | `/rng/<stream>` | `randomStreams` |
/// | `/progress` `@epoch @iteration @schedule_epoch @schedule_iteration` | `completedEpochs`, `completedIterations`, `schedule` |
/// | `/progress` `@best_accuracy @best_epoch`, `/metadata` | the runner's record and `RunIdentity` |
extension Checkpoint {
    /// A checkpoint of `state` with the best test accuracy so far and `identity` as metadata.
    init(_ state: TrainingState, bestAccuracy: Double, bestEpoch: Int, identity: RunIdentity) throws {
        let progress = TrainingProgress(
            epoch: state.completedEpochs, iteration: state.completedIterations, bestAccuracy: bestAccuracy,
            bestEpoch: bestEpoch,
            scalars: ["schedule_epoch": Double(state.schedule.epoch), "schedule_iteration": Double(state.schedule.iteration)])
        self.init(weights: state.weights, buffers: state.buffers, optimizerTensors: state.optimizer.tensors,
                  optimizerScalars: state.optimizer.scalars, randomStreams: state.randomStreams, progress: progress,
                  metadata: try identity.entries())
    }

    /// The training state the checkpoint (read from `file`, named in errors) holds.
    func trainingState(file: String) throws -> TrainingState {
        func scalar(_ name: String) throws -> Int {
            guard let value = progress.scalars[name], let integer = Int(exactly: value) else {
                throw RunFileError.invalidLayout(file: file, object: "/progress@\(name)", reason: "missing or not an integer")
            }
            return integer
        }
        return TrainingState(
            weights: weights, buffers: buffers,
            optimizer: OptimizerState(tensors: optimizerTensors, scalars: optimizerScalars), randomStreams: randomStreams,
            schedule: .init(epoch: try scalar("schedule_epoch"), iteration: try scalar("schedule_iteration")),
            completedEpochs: progress.epoch, completedIterations: progress.iteration)
    }
}

extension TrainingSession {
    /// Overwrites the session's state with the checkpoint's (read from `file`).
    func restore(from checkpoint: Checkpoint, file: String) throws {
        do {
            try restore(try checkpoint.trainingState(file: file), source: file)
        } catch let error as TrainingStateError {
            throw RunFileError.invalidLayout(file: file, object: error.entry, reason: error.reason)
        }
    }
}
