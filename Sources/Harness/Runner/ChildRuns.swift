import Foundation

/// `fsnn run --jobs N`: up to N runs at once, each in its own child process
/// (`fsnn run <file> --rows <row> --seeds <k> --threads 1 --child …`). Processes rather than
/// threads, because OpenBLAS's thread count and `Parallel.workerCount` are per process; each child
/// uses one thread. A child's output lines are forwarded to standard error prefixed with its run's
/// name; its outcome is read back from its result file.
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
            var pending = Data()
            while let chunk = try? reader.read(upToCount: 4096), !chunk.isEmpty {
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[pending.startIndex...newline]
                    FileHandle.standardError.write(Data(prefix.utf8) + line)
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            if !pending.isEmpty { FileHandle.standardError.write(Data(prefix.utf8) + pending + Data("\n".utf8)) }
            done.signal()
        }.start()
    }

    /// Blocks until the child's output has been forwarded to its end.
    func waitForOutput() {
        outputDone.wait()
    }
}
