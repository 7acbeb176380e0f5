import Datasets
import FSNN
import Foundation
import Layers
import Tensor

/// What a run needs from the runner around it: where its files go, the data, and whom to tell.
struct RunEnvironment {
    let experimentText: String
    let resultsRoot: String
    let checkpointsRoot: String
    let gitRevision: String
    let data: RunData
    let interrupt: InterruptFlag
    /// Whether progress lines carry the run's name (false in a child process of a parallel run).
    let labelsProgress: Bool
    let onEpochRecorded: ((RunRecord) -> Void)?
}

/// Trains one run (row × seed) from its first epoch or from its checkpoint to its last epoch.
///
/// After every epoch it writes the result file (status `running`) and then the checkpoint, both
/// atomically; a crash between the two leaves a result one epoch ahead, which a resume
/// truncates. After the last epoch it adds the test firing rates (and the trained residual trace
/// when the row asks) and marks the result `complete`. A non-finite loss or gradient marks it
/// `failed` at that epoch and batch, an interrupt `interrupted`; either way the last epoch's
/// checkpoint stays. Progress that cannot be written (standard error on a full disk) fails the
/// run too, naming the stream: its lines are part of what a run owes its user.
final class RunExecution {
    let task: PlannedRun
    let datasetUsed: DatasetName
    /// The completed epochs of the checkpoint a resume continues from; nil for a run from the start.
    let resumedEpochs: Int?
    let environment: RunEnvironment
    /// The result file's content as far as the run got (nil until the session exists).
    fileprivate(set) var record: RunRecord?
    /// The 0-based epoch in progress and the batches finished in it (before training, the epoch a
    /// resume would continue).
    fileprivate var epoch: Int, batch = 0

    init(task: PlannedRun, datasetUsed: DatasetName, resumedEpochs: Int?, environment: RunEnvironment) {
        self.task = task
        self.datasetUsed = datasetUsed
        self.resumedEpochs = resumedEpochs
        self.environment = environment
        epoch = resumedEpochs ?? 0
    }

    private var run: ExperimentRun { task.run }
    fileprivate var resultPath: String { run.resultPath(in: environment.resultsRoot, seed: task.seed) }
    fileprivate var checkpointPath: String { run.checkpointPath(in: environment.checkpointsRoot, seed: task.seed) }
    private var label: String { environment.labelsProgress ? "[\(run.table)/\(run.row) seed \(task.seed)]" : "" }

    /// Runs to the end and returns how it ended: complete, failed or interrupted (never running).
    func execute() -> RunStatus {
        do {
            try train()
            return .complete
        } catch let error as DivergedRun {
            return stop(.failed(StopPoint(epoch: error.epoch + 1, batch: error.batch, message: "diverged: \(error.reason)")))
        } catch let interruption as RunInterruption {
            return interrupted(epoch: interruption.epoch, batchesDone: interruption.batchesDone, within: nil)
        } catch let interruption as WorkInterrupted {
            return interrupted(epoch: epoch, batchesDone: batch, within: interruption.place)
        } catch DatasetError.interrupted(let path) {
            return interrupted(epoch: epoch, batchesDone: batch, within: "reading \(path)")
        } catch is ConsoleError where environment.interrupt.isSet {
            // The write gave up waiting for a reader because of the stop request.
            return interrupted(epoch: epoch, batchesDone: batch, within: "writing progress")
        } catch {
            return stop(.failed(StopPoint(epoch: epoch + 1, batch: batch, message: "\(error)")))
        }
    }

    /// Records the run as interrupted after `batchesDone` batches of 0-based `epoch`, `within` a
    /// batch's simulation or solve, or the reading of the data, when the interrupt stopped one
    /// midway.
    private func interrupted(epoch: Int, batchesDone: Int, within place: String?) -> RunStatus {
        let signal = environment.interrupt.signalName ?? "an interrupt"
        let stopped = "stopped by \(signal)\(place.map { " in \($0)" } ?? "")"
        let message = record == nil && resumedEpochs == nil
            ? stopped + " before training began; no result file was written (run it again to start)"
            : stopped + " after \(batchesDone) batches of epoch \(epoch + 1); "
                + "the checkpoint holds \(counted(epoch, "completed epoch")) (continue with --resume)"
        return stop(.interrupted(StopPoint(epoch: epoch + 1, batch: batchesDone, message: message)))
    }

    /// Records `status` in the result file (when the run got far enough to have one) and says so,
    /// when standard error can still take it.
    private func stop(_ status: RunStatus) -> RunStatus {
        let progress = ProgressReporter(label: label)
        if case let .failed(stop) = status {
            try? progress.note("failed at epoch \(stop.epoch), batch \(stop.batch): \(stop.message)")
        }
        if case let .interrupted(stop) = status { try? progress.note(stop.message) }
        guard var record else { return status }
        record.status = status
        self.record = record
        do {
            try ResultStore.write(record, to: resultPath)
        } catch {
            try? progress.note("could not record the run's status in \(resultPath): \(error)")
        }
        return status
    }

    private func train() throws {
        let configuration = run.training
        let dataset = try environment.data.dataset(datasetUsed, options: configuration.datasetOptions(augmentation: run.augmentation))
        let session = try TrainingSession(configuration: configuration, dataset: dataset, seed: UInt64(task.seed),
                                          limits: run.dataLimits)
        session.trainer.network.interruptionCheck = { [interrupt = environment.interrupt] in interrupt.isSet }
        let identity = RunIdentity(run: run, seed: task.seed, datasetUsed: datasetUsed)
        if resumedEpochs != nil {
            try restore(session, identity: identity)
        } else {
            var record = RunRecord(run: run, seed: task.seed, experimentYAML: environment.experimentText,
                                   provenance: try provenance(session), layerNames: session.trainer.network.layerNames)
            record.placement = .current
            if let convergence = run.convergence {
                record.convergence.append(try ModelMeasurements.residualTrace(
                    of: session, steps: convergence.steps, batches: convergence.batches, name: "untrained", epoch: 0))
            }
            self.record = record
            try ResultStore.write(record, to: resultPath)
            // A checkpoint of the run this one replaces must not be resumed into its result file.
            try removeStaleCheckpoint()
        }

        let epochs = configuration.epochs
        let progress = ProgressReporter(label: label, firstEpoch: session.completedEpochs)
        try progress.note(describe(session, firstEpoch: session.completedEpochs))
        let recorder = EpochRecorder(execution: self, session: session, identity: identity, progress: progress)
        (epoch, batch) = (session.completedEpochs, 0)
        try session.train(observer: recorder)
        (epoch, batch) = (epochs - 1, session.trainBatchesPerEpoch)

        guard var record else { return }
        let test = try recorder.lastTest ?? session.evaluate()
        record.rates = ModelMeasurements.firingRates(test, epoch: epochs, quirks: configuration.quirks)
        if let convergence = run.convergence {
            record.convergence.append(try ModelMeasurements.residualTrace(
                of: session, steps: convergence.steps, batches: convergence.batches, name: "trained", epoch: epochs))
        }
        record.status = .complete
        self.record = record
        try ResultStore.write(record, to: resultPath)
        // The run is complete and recorded; a closing line that cannot be written does not undo that.
        if let best = record.bestTestAccuracy {
            try? progress.note(String(format: "complete: best test accuracy %.2f %% (epoch %d) → %@", best.accuracy,
                                      best.epoch, resultPath))
        }
    }

    /// What the epoch loop reports: progress on every batch, then per epoch the result file and
    /// the checkpoint; an interrupt stops after the current batch (or at the epoch's end).
    private final class EpochRecorder: TrainingObserver {
        let execution: RunExecution
        let session: TrainingSession
        let identity: RunIdentity
        let progress: ProgressReporter
        private(set) var lastTest: EvaluationSummary?

        init(execution: RunExecution, session: TrainingSession, identity: RunIdentity, progress: ProgressReporter) {
            self.execution = execution
            self.session = session
            self.identity = identity
            self.progress = progress
        }

        func batchFinished(_ index: Int, epoch: Int, report: TrainingStepReport) throws {
            (execution.epoch, execution.batch) = (epoch, index + 1)
            try progress.batch(index, of: session.trainBatchesPerEpoch, epoch: epoch, of: session.configuration.epochs,
                               report: report)
            if execution.environment.interrupt.isSet { throw RunInterruption(epoch: epoch, batchesDone: index + 1) }
        }

        /// The epoch is recorded before its line is written, so that a console that fails loses no epoch.
        func epochFinished(_ result: EpochResult) throws {
            let epochs = session.configuration.epochs
            lastTest = result.test
            try execution.recordEpoch(result)
            let best = execution.record?.bestTestAccuracy
            try Checkpoint(session.state, bestAccuracy: best?.accuracy ?? 0, bestEpoch: best?.epoch ?? 0, identity: identity)
                .write(to: execution.checkpointPath)
            if let record = execution.record { execution.environment.onEpochRecorded?(record) }
            try progress.epoch(result.epoch, of: epochs, training: result.training, test: result.test, seconds: result.seconds)
            (execution.epoch, execution.batch) = (result.epoch + 1, 0)
            if execution.environment.interrupt.isSet, result.epoch + 1 < epochs {
                throw RunInterruption(epoch: result.epoch + 1, batchesDone: 0)
            }
        }
    }

    /// Appends an epoch's metrics and memory to the record and writes the result file.
    private func recordEpoch(_ result: EpochResult) throws {
        guard var record else { return }
        let (training, test) = (result.training, result.test)
        record.epochs.append(EpochSummary(
            trainLoss: training.loss, trainAccuracy: 100 * training.accuracy, testLoss: test.loss,
            testAccuracy: 100 * test.accuracy, learningRate: Double(result.learningRate), seconds: result.seconds,
            solverIterations: training.solverIterations, solverResidualMean: training.solverResidualMean,
            solverResidualMax: training.solverIterations.isNaN ? .nan : Double(training.solverResidualMax),
            gradientNormMedian: training.gradientNormMedian, gradientNormMax: training.gradientNormMax,
            firingRate: test.meanRate, layerFiringRates: test.layerRates))
        record.predictions = TestPredictions(epoch: record.epochs.count, labels: test.labels, predicted: test.predictions)
        for (peak, transient) in zip(training.absolutePeakBytes, training.transientPeakBytes) {
            record.memory.append(peakBytes: peak, transientBytes: transient)
        }
        self.record = record
        try ResultStore.write(record, to: resultPath)
    }

    /// Loads the checkpoint into `session` and the result file's metrics up to it.
    private func restore(_ session: TrainingSession, identity: RunIdentity) throws {
        let checkpoint = try Checkpoint.read(checkpointPath)
        let stored = try RunIdentity(entries: checkpoint.metadata, file: checkpointPath)
        let differences = stored.differences(from: identity)
        guard differences.isEmpty else {
            throw RunnerError.checkpointMismatch(checkpoint: checkpointPath, differences: differences)
        }
        var record = try ResultStore.read(resultPath)
        try checkData(recorded: record.provenance.dataFiles)
        let (epochs, iterations) = (checkpoint.progress.epoch, checkpoint.progress.iteration)
        guard record.epochs.count >= epochs, record.memory.peakBytes.count >= iterations else {
            throw RunnerError.cannotResume(
                checkpoint: checkpointPath,
                reason: "it holds \(counted(epochs, "epoch")), but \(resultPath) records only \(record.epochs.count); "
                    + "run without --resume to start over")
        }
        record.epochs.removeLast(record.epochs.count - epochs)
        record.memory = MemoryRecord(peakBytes: Array(record.memory.peakBytes.prefix(iterations)),
                                     transientBytes: Array(record.memory.transientBytes.prefix(iterations)))
        record.convergence.removeAll { $0.name != "untrained" }
        record.rates = nil
        record.status = .running
        record.placement = .current
        if record.provenance.gitRevision != environment.gitRevision {
            record.provenance.gitRevision += " (resumed at \(environment.gitRevision))"
        }
        // What this process trains and evaluates on (a file from before stratified selections
        // says `file order`).
        (record.provenance.trainSelection, record.provenance.testSelection) = selections(session)
        try session.restore(from: checkpoint, file: checkpointPath)
        self.record = record
        try ResultStore.write(record, to: resultPath)
    }

    /// Refuses to continue on data other than the run started with: every file's digest must
    /// match the one the result file recorded, and no file may have appeared or gone.
    private func checkData(recorded: [DataFileChecksum]) throws {
        let current = try environment.data.checksums(of: datasetUsed)
        let names = recorded.map(\.file) + current.map(\.file).filter { name in !recorded.contains { $0.file == name } }
        for name in names {
            let before = recorded.first { $0.file == name }?.checksum ?? "none"
            let now = current.first { $0.file == name }?.checksum ?? "none"
            guard before == now else {
                throw RunnerError.dataChanged(result: resultPath, file: "\(environment.data.root.path)/\(name)",
                                              recorded: before, current: now)
            }
        }
    }

    private func removeStaleCheckpoint() throws {
        try OutputFile.remove(checkpointPath)
    }

    private func provenance(_ session: TrainingSession) throws -> Provenance {
        let train = session.trainBatcher
        let (trainSelection, testSelection) = selections(session)
        return Provenance(
            gitRevision: environment.gitRevision, fsnnVersion: FSNNVersion.current, datasetUsed: datasetUsed.rawValue,
            trainSamples: min(train.sampleCount, session.trainBatchesPerEpoch * train.batchSize),
            testSamples: testSelection.classCounts.reduce(0, +), trainSelection: trainSelection,
            testSelection: testSelection, dataFiles: try environment.data.checksums(of: datasetUsed))
    }

    /// The training subset, and the test samples every evaluation visits (the first of the
    /// stratified test order, up to the cap on test batches).
    private func selections(_ session: TrainingSession) -> (train: SampleSelection, test: SampleSelection) {
        let train = session.trainBatcher, test = session.testBatcher
        let testBatches = min(test.batchesPerEpoch, run.testBatches ?? .max)
        return (SampleSelection(indices: train.sampleIndices, of: train.split),
                SampleSelection(indices: test.sampleIndices.prefix(testBatches * test.batchSize), of: test.split))
    }

    private func describe(_ session: TrainingSession, firstEpoch: Int) -> String {
        let start = firstEpoch > 0 ? "resuming after epoch \(firstEpoch): " : ""
        return "\(start)\(datasetUsed.rawValue), \(counted(run.training.epochs, "epoch")) of "
            + "\(counted(session.trainBatchesPerEpoch, "batch", plural: "batches")) of \(run.training.batchSize); "
            + "\(session.trainer.network.parameterCount) parameters; "
            + "OpenBLAS \(BLAS.coreName) × \(BLAS.threadCount) thread(s)"
    }
}

/// The interrupt flag stopped a run after `batchesDone` batches of 0-based `epoch`.
struct RunInterruption: Error {
    let epoch: Int
    let batchesDone: Int
}
