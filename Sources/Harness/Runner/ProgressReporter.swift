import Foundation
import FSNN

/// Progress on standard error: on a terminal a live line per run (epoch, batch, loss, accuracy,
/// mean rate, solver iterations, ETA), refreshed at most 5 times a second; otherwise one line per
/// epoch, so logs stay readable. Lines start with the label unless it is empty (a child process
/// of a parallel run, whose parent prefixes the lines).
public final class ProgressReporter {
    private let label: String
    /// The first epoch trained in this process (a resumed run's ETA counts from it).
    private let firstEpoch: Int
    private let isTerminal: Bool
    private var lastDraw = ContinuousClock.now
    private let started = ContinuousClock.now
    private var lossSum: Double = 0
    private var correct = 0
    private var samples = 0

    public init(label: String, firstEpoch: Int = 0, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label.isEmpty ? "" : label + " "
        self.firstEpoch = firstEpoch
        self.isTerminal = isTerminal
    }

    /// After training batch `index` (0-based) of `total` in `epoch` (0-based) of `epochs`.
    public func batch(_ index: Int, of total: Int, epoch: Int, of epochs: Int, report: TrainingStepReport) {
        if index == 0 { (lossSum, correct, samples) = (0, 0, 0) }
        lossSum += Double(report.loss) * Double(report.samples)
        correct += report.correct
        samples += report.samples
        guard isTerminal else { return }
        let now = ContinuousClock.now
        guard now - lastDraw > .milliseconds(200) || index + 1 == total else { return }
        lastDraw = now
        let done = Double((epoch - firstEpoch) * total + index + 1), all = Double((epochs - firstEpoch) * total)
        let remaining = (now - started).inSeconds / done * (all - done)
        let rate = report.meanRates.last ?? 0
        let solver = report.solver.map { String(format: " it %2d", $0.iterations) } ?? ""
        let line = String(format: "%@epoch %d/%d batch %d/%d loss %.4f acc %.2f%% rate %.4f%@ ETA %@",
                          label, epoch + 1, epochs, index + 1, total, lossSum / Double(samples),
                          100 * Double(correct) / Double(samples), rate, solver, Self.duration(remaining))
        write("\r\u{1B}[2K" + line)
    }

    /// After an epoch and its evaluation.
    public func epoch(_ epoch: Int, of epochs: Int, training: TrainingEpochSummary, test: EvaluationSummary) {
        let solver = training.solverIterations.isNaN ? "" : String(format: " solver %.1f it", training.solverIterations)
        let line = String(format: "%@epoch %d/%d lr %.4g train loss %.4f acc %.2f%% test loss %.4f acc %.2f%% rate %.4f%@ %.1fs (data wait %.1f%%)",
                          label, epoch + 1, epochs, training.learningRate, training.loss, 100 * training.accuracy,
                          test.loss, 100 * test.accuracy, test.meanRate, solver, training.seconds,
                          100 * training.dataWaitFraction)
        write((isTerminal ? "\r\u{1B}[2K" : "") + line + "\n")
    }

    /// A free-form message on its own line.
    public func note(_ message: String) {
        write((isTerminal ? "\r\u{1B}[2K" : "") + "\(label)\(message)\n")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
