import Foundation

/// `fsnn run --jobs N`: up to N runs at once, each in its own child process
/// (`fsnn run <file> --rows <row> --seeds <k> --threads 1 --child …`). Processes rather than
/// threads, because OpenBLAS's thread count and `Parallel.workerCount` are per process; each child
/// uses one thread. A child's output lines are forwarded to standard error prefixed with its run's
/// name; its outcome is read back from its result file. When this process's standard error fails,
/// forwarding stops and the child's pipe is closed, so that the child's next line fails as well
/// (EPIPE) and the child records its run as failed, as a run in this process would.
struct ChildRuns {
    let executable: String
    let runner: ExperimentRunner

    func run(_ plan: [PlannedRun]) -> [RunReport] {
        var reports = plan.map { RunReport(run: $0.run, seed: $0.seed, outcome: .notStarted) }
        var pending: [Int] = []
        for (index, planned) in plan.enumerated() {
            if let report = runner.reportWithoutTraining(planned) { reports[index] = report } else { pending.append(index) }
        }
        let finished = DispatchSemaphore(value: 0)
        var running: [(index: Int, child: Child)] = []
        var forwardedInterrupt = false
        while !pending.isEmpty || !running.isEmpty {
            while running.count < runner.options.jobs, !runner.interrupt.isSet, !pending.isEmpty {
                let index = pending.removeFirst()
                do {
                    running.append((index, try Child(plan[index], arguments: arguments(for: plan[index]),
                                                     executable: executable, finished: finished)))
                } catch {
                    reports[index].outcome = .finished(.failed(StopPoint(epoch: 1, batch: 0,
                                                                         message: "could not start \(executable): \(error)")))
                }
            }
            if running.isEmpty { break }
            _ = finished.wait(timeout: .now() + .milliseconds(500))
            if runner.interrupt.isSet, !forwardedInterrupt {
                // A terminal's Ctrl-C reaches the children too; a `kill` of this process does not.
                for (_, child) in running { kill(child.process.processIdentifier, SIGINT) }
                forwardedInterrupt = true
            }
            let ended = running.filter { !$0.child.process.isRunning }
            for (index, child) in ended {
                child.waitForOutput()
                (reports[index].outcome, reports[index].best) = outcome(of: child, plan[index])
            }
            running.removeAll { entry in ended.contains { $0.index == entry.index } }
        }
        return reports
    }

    /// The child's command line: this run only, one thread, the parent's files and data.
    private func arguments(for planned: PlannedRun) -> [String] {
        let options = runner.options
        var arguments = ["run", runner.experiment.path, "--profile", options.profile.rawValue,
                         "--rows", planned.run.row, "--seeds", "\(planned.seed)", "--threads", "1",
                         "--results", options.resultsRoot, "--runs", options.checkpointsRoot,
                         "--data-dir", options.dataRoot.path, "--child"]
        if options.resume { arguments.append("--resume") }
        if options.overwrite { arguments.append("--overwrite") }
        return arguments
    }

    /// How the child's run ended, from the result file it wrote (a file older than the child,
    /// or none, means it ended before recording anything).
    private func outcome(of child: Child, _ planned: PlannedRun) -> (RunReport.Outcome, (accuracy: Double, epoch: Int)?) {
        let path = runner.resultPath(planned)
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        if let modified, modified >= child.started, let record = try? ResultStore.read(path), record.status != .running {
            return (.finished(record.status), record.bestTestAccuracy)
        }
        let status = child.process.terminationStatus
        let message = "the child process exited with status \(status) without recording the run (its output is above)"
        return (.finished(status == 130 ? .interrupted(StopPoint(epoch: 1, batch: 0, message: message))
                                        : .failed(StopPoint(epoch: 1, batch: 0, message: message))), nil)
    }
}

/// One child process and the thread that forwards its output.
private final class Child {
    let process = Process()
    /// When it was started, to one second's precision (file modification times may be coarse).
    let started = Date(timeIntervalSinceNow: -1)
    private let outputDone = DispatchSemaphore(value: 0)

    init(_ planned: PlannedRun, arguments: [String], executable: String, finished: DispatchSemaphore) throws {
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = pipe
        process.standardError = pipe
        process.terminationHandler = { _ in finished.signal() }
        let prefix = "[\(planned.run.table)/\(planned.run.row) seed \(planned.seed)] "
        let reader = pipe.fileHandleForReading, done = outputDone
        try process.run()
        Thread {
            var pending = Data(), chunk = [UInt8](repeating: 0, count: 4096)
            do {
                // read(2) returns what the child has written so far (FileHandle.read(upToCount:)
                // waits for a full chunk, which held progress lines back).
                while true {
                    let count = Foundation.read(reader.fileDescriptor, &chunk, chunk.count)
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { break }
                    pending.append(contentsOf: chunk[..<count])
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = String(decoding: pending[pending.startIndex...newline], as: UTF8.self)
                        try ConsoleStream.standardError.write(prefix + line)
                        pending.removeSubrange(pending.startIndex...newline)
                    }
                }
                if !pending.isEmpty {
                    try ConsoleStream.standardError.write(prefix + String(decoding: pending, as: UTF8.self) + "\n")
                }
            } catch {
                try? reader.close()
            }
            done.signal()
        }.start()
    }

    /// Blocks until the child's output has been forwarded to its end.
    func waitForOutput() {
        outputDone.wait()
    }
}
