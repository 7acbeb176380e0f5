import Foundation
import FSNN

/// Progress on standard error. On a terminal, a live line per run (epoch, batch, running loss
/// and accuracy, rate, solver iterations, ETA of the epoch and of the run), refreshed at most 5
/// times a second. Otherwise (a log file, a batch job) a line every 30 s or every 10 % of an
/// epoch, whichever comes first, with the same numbers and seconds per batch, and one line per
/// epoch. Lines start with the label unless it is empty (a child process of a parallel run,
/// whose parent prefixes the lines). A line that cannot be written throws `ConsoleError`: a run
/// records that and ends as failed.
public final class ProgressReporter {
    private let label: String
    /// The first epoch trained in this process (a resumed run's ETA counts from it).
    private let firstEpoch: Int
    private let isTerminal: Bool
    /// Seconds since an arbitrary origin (injectable for tests).
    private let clock: () -> Double
    private let output: (String) throws(ConsoleError) -> Void
    private let started: Double
    private var lastLine: Double
    /// The batch count of the epoch at the last log line, for the 10 % rule.
    private var lastLoggedBatch = 0
    private var epochStarted: Double
    /// Seconds of the epochs finished in this process, evaluation included.
    private var epochSeconds: [Double] = []
    private var lossSum: Double = 0
    private var correct = 0
    private var samples = 0
    private var solverIterations = 0
    private var solves = 0
    /// The last batch's mean firing rate of the output layer.
    private var firingRate = 0.0

    /// Seconds between log lines, and the fraction of an epoch that also triggers one.
    static let logInterval = 30.0
    static let logFraction = 0.1

    public convenience init(label: String, firstEpoch: Int = 0, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        let origin = ContinuousClock.now
        self.init(label: label, firstEpoch: firstEpoch, isTerminal: isTerminal, clock: { (ContinuousClock.now - origin).inSeconds },
                  output: { text throws(ConsoleError) in try ConsoleStream.standardError.write(text) })
    }

    init(label: String, firstEpoch: Int, isTerminal: Bool, clock: @escaping () -> Double,
         output: @escaping (String) throws(ConsoleError) -> Void) {
        self.label = label.isEmpty ? "" : label + " "
        self.firstEpoch = firstEpoch
        self.isTerminal = isTerminal
        self.clock = clock
        self.output = output
        started = clock()
        lastLine = started
        epochStarted = started
    }

    /// After training batch `index` (0-based) of `total` in `epoch` (0-based) of `epochs`.
    public func batch(_ index: Int, of total: Int, epoch: Int, of epochs: Int, report: TrainingStepReport)
        throws(ConsoleError) {
        let now = clock()
        if index == 0 {
            (lossSum, correct, samples, solverIterations, solves) = (0, 0, 0, 0, 0)
            lastLoggedBatch = 0
        }
        lossSum += Double(report.loss) * Double(report.samples)
        correct += report.correct
        samples += report.samples
        if let solver = report.solver {
            solverIterations += solver.iterations
            solves += 1
        }
        firingRate = report.meanRates.last ?? 0
        let done = index + 1
        if isTerminal {
            guard now - lastLine > 0.2 || done == total else { return }
            lastLine = now
            try write("\r\u{1B}[2K" + line(done, of: total, epoch: epoch, of: epochs, now: now, perBatch: false))
        } else {
            let step = max(1, Int((Self.logFraction * Double(total)).rounded(.up)))
            guard now - lastLine >= Self.logInterval || done - lastLoggedBatch >= step, done < total else { return }
            lastLine = now
            lastLoggedBatch = done
            try write(line(done, of: total, epoch: epoch, of: epochs, now: now, perBatch: true) + "\n")
        }
    }

    /// "epoch 2/5 batch 47/469 loss 0.5123 acc 81.20% rate 0.0123 it 11.2 0.105 s/batch ETA epoch 0m44s, run 3m52s":
    /// running loss and accuracy of the epoch, the last batch's firing rate, mean solver iterations.
    private func line(_ done: Int, of total: Int, epoch: Int, of epochs: Int, now: Double, perBatch: Bool) -> String {
        let epochElapsed = now - epochStarted
        let secondsPerBatch = epochElapsed / Double(done)
        let epochRemaining = secondsPerBatch * Double(total - done)
        // Later epochs take as long as the finished ones (evaluation included), or, before one
        // has finished, as long as this one's batches.
        let laterEpochs = Double(epochs - epoch - 1)
        let perEpoch = epochSeconds.isEmpty ? secondsPerBatch * Double(total) : epochSeconds.reduce(0, +) / Double(epochSeconds.count)
        let runRemaining = epochRemaining + laterEpochs * perEpoch
        let solver = solves > 0 ? String(format: " it %.1f", Double(solverIterations) / Double(solves)) : ""
        let rate = perBatch ? String(format: " %.3g s/batch", secondsPerBatch) : ""
        return String(format: "%@epoch %d/%d batch %d/%d loss %.4f acc %.2f%% rate %.4f%@%@ ETA epoch %@, run %@",
                      label, epoch + 1, epochs, done, total, lossSum / Double(max(samples, 1)),
                      100 * Double(correct) / Double(max(samples, 1)), firingRate, solver, rate,
                      Self.duration(epochRemaining), Self.duration(runRemaining))
    }

    /// After an epoch and its evaluation, which took `seconds` together.
    public func epoch(_ epoch: Int, of epochs: Int, training: TrainingEpochSummary, test: EvaluationSummary,
                      seconds: Double) throws(ConsoleError) {
        epochSeconds.append(seconds)
        let now = clock()
        epochStarted = now
        lastLine = now
        let solver = training.solverIterations.isNaN ? "" : String(format: " solver %.1f it", training.solverIterations)
        let remaining = Double(epochs - epoch - 1) * epochSeconds.reduce(0, +) / Double(epochSeconds.count)
        let eta = epoch + 1 < epochs ? " ETA run \(Self.duration(remaining))" : ""
        let line = String(format: "%@epoch %d/%d lr %.4g train loss %.4f acc %.2f%% test loss %.4f acc %.2f%% rate %.4f%@ %.1fs (data wait %.1f%%)%@",
                          label, epoch + 1, epochs, training.learningRate, training.loss, 100 * training.accuracy,
                          test.loss, 100 * test.accuracy, test.meanRate, solver, seconds,
                          100 * training.dataWaitFraction, eta)
        try write((isTerminal ? "\r\u{1B}[2K" : "") + line + "\n")
    }

    /// A free-form message on its own line.
    public func note(_ message: String) throws(ConsoleError) {
        try write((isTerminal ? "\r\u{1B}[2K" : "") + "\(label)\(message)\n")
    }

    private func write(_ text: String) throws(ConsoleError) {
        try output(text)
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}

/// "1 epoch", "3 epochs", "2 batches".
public func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
