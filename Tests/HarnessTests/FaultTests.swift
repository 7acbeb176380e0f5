import Datasets
import Foundation
import HDF5
@testable import Harness
import TestSupport
import Testing

extension RunnerTests {
    /// Faults around a run's files: a full disk, unwritable folders, a second process on the same
    /// run, damaged files, data changed before a resume, and a signal in the middle of a batch.
    @Suite struct Faults {
        static var executable: String { CommandLine.executable }

        /// Runs fsnn to its end: exit status and output.
        static func fsnn(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let (process, pipe) = try CommandLine.launch(arguments)
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, output)
        }

        static var isRoot: Bool { getuid() == 0 }

        /// Mounts a tmpfs at `directory` (root only) for the duration of `body`.
        static func withTmpfs(_ directory: String, options: String, _ body: () throws -> Void) throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let mounted = try #require(try runTool("mount", ["-t", "tmpfs", "-o", options, "tmpfs", directory]))
            try #require(mounted.status == 0, "mount: \(mounted.output)")
            defer { _ = try? runTool("umount", [directory]) }
            try body()
        }

        /// The run stops after its first epoch: an incomplete result and a checkpoint to resume.
        static func interruptedAfterOneEpoch(_ fixture: RunnerFixture, _ experiment: Experiment) throws {
            let flag = InterruptFlag()
            let runner = fixture.runner(experiment, fixture.options(), interrupt: flag)
            runner.onEpochRecorded = { record in if record.epochs.count == 1 { flag.request() } }
            #expect(try runner.run().exitCode == 130)
        }

        /// Flips bit 6 of byte `offset` of `bytes`' only occurrence in `path` (an exponent bit
        /// of a little-endian Float32 at offset 3, or a Float64 at offset 7).
        static func flip(_ bytes: [UInt8], at offset: Int, in path: String) throws {
            var data = try Data(contentsOf: URL(fileURLWithPath: path))
            let found = try #require(data.firstRange(of: Data(bytes)), "the values are not stored as written")
            #expect(data[found.upperBound...].firstRange(of: Data(bytes)) == nil, "the values occur twice")
            data[found.lowerBound + offset] ^= 0x40
            try data.write(to: URL(fileURLWithPath: path))
        }

        @Test func aFullDiskFailsTheRunWithATypedErrorAndNoCrash() throws {
            guard Self.isRoot else {
                print("skipped: mounting a small tmpfs needs root")
                return
            }
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
            let full = fixture.data.directory.file("full")
            try Self.withTmpfs(full, options: "size=48k") {
                let (status, output) = try Self.fsnn([
                    "run", experiment.path, "--threads", "1", "--results", full, "--runs", fixture.runs,
                    "--data-dir", fixture.data.root.path,
                ])
                #expect(status == 1, "\(output)")
                #expect(output.contains("\(full)/tiny/a/seed-0.h5.tmp-") && output.contains("No space left on device"),
                        "\(output)")
                #expect(output.contains("tiny (profile quick): 1 failed"), "\(output)")
                let left = try FileManager.default.contentsOfDirectory(atPath: "\(full)/tiny/a")
                #expect(!left.contains { $0.contains(".tmp-") }, "\(left)")
                if left.contains("seed-0.h5") { _ = try ResultStore.read(fixture.resultPath("a", results: full)) }
            }
        }

        @Test func unwritableFoldersAreRefusedBeforeTraining() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
            let locked = fixture.data.directory.file("locked")
            let check = { (results: String, runs: String, option: String, reason: String) throws in
                do {
                    _ = try fixture.runner(experiment, fixture.options(results: results, runs: runs)).run()
                    Issue.record("a run with \(option) unwritable started")
                } catch let error as RunnerError {
                    #expect(error.description.hasPrefix("\(option) ") && error.description.contains(reason), "\(error)")
                    #expect(error.description.contains("checked before training"), "\(error)")
                }
                #expect(!FileManager.default.fileExists(atPath: fixture.resultPath("a", results: results)))
            }
            let body = {
                try check("\(locked)/results", fixture.runs, "--results", Self.isRoot ? "Read-only file system" : "Permission denied")
                try check(fixture.results, "\(locked)/runs", "--runs", Self.isRoot ? "Read-only file system" : "Permission denied")
            }
            if Self.isRoot {
                try Self.withTmpfs(locked, options: "ro,size=64k", body)
            } else {
                try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
                chmod(locked, 0o555)
                defer { chmod(locked, 0o755) }
                try body()
            }
            let file = fixture.data.directory.file("a-file")
            #expect(FileManager.default.createFile(atPath: file, contents: Data()))
            try check("\(file)/results", fixture.runs, "--results", "\(file): mkdir failed: not a directory (a regular file)")
        }

        @Test func aSecondProcessOnTheSameRunRefusesNamingTheHolder() throws {
            try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build fsnn first: swift build")
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(defaults: ["epochs: 100"], rows: [("a", [])]))
            let (first, pipe) = try CommandLine.launch([
                "run", experiment.path, "--threads", "1", "--results", fixture.results, "--runs", fixture.runs,
                "--data-dir", fixture.data.root.path,
            ])
            defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
            let lock = fixture.resultPath("a") + ".lock"
            let deadline = Date(timeIntervalSinceNow: 60)
            while !((try? String(contentsOfFile: lock, encoding: .utf8))?.hasSuffix("\n") ?? false), first.isRunning,
                  Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
            let second = try Self.fsnn([
                "run", experiment.path, "--profile", "smoke", "--overwrite", "--results", fixture.results,
                "--runs", fixture.runs + "-second", "--data-dir", fixture.data.root.path,
            ])
            kill(first.processIdentifier, SIGINT)
            let firstOutput = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            first.waitUntilExit()
            #expect(second.status == 1, "\(second.output)")
            #expect(second.output.contains("\(fixture.resultPath("a")) is being written by another fsnn process "
                + "(pid \(first.processIdentifier) on host "), "\(second.output)")
            #expect(!second.output.contains("epoch 1/"), "\(second.output)")
            #expect(first.terminationStatus == 130, "\(firstOutput)")
            #expect(try ResultStore.read(fixture.resultPath("a")).profile == .quick)
            #expect(!FileManager.default.fileExists(atPath: lock))
        }

        @Test func temporariesOfDeadProcessesAreRemovedOnStart() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(defaults: ["epochs: 1"], rows: [("a", [])]))
            let (process, _) = try launch("/bin/true", [])
            process.waitUntilExit()
            let folder = (fixture.resultPath("a") as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let stale = fixture.resultPath("a") + ".tmp-\(process.processIdentifier)"
            let live = fixture.resultPath("a") + ".tmp-1"
            for path in [stale, live] { #expect(FileManager.default.createFile(atPath: path, contents: Data([1]))) }
            _ = try withOneThread { try fixture.runner(experiment, fixture.options()).run() }
            #expect(!FileManager.default.fileExists(atPath: stale))
            #expect(FileManager.default.fileExists(atPath: live))
        }

        @Test func damagedCheckpointsAndResultsAreRefusedNamingTheObject() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
            try withOneThread { try Self.interruptedAfterOneEpoch(fixture, experiment) }

            let checkpoint = fixture.checkpointPath("a")
            let weight = try #require(try Checkpoint.read(checkpoint).weights.first { $0.name == "classifier.weight" })
            try Self.flip(weight.tensor.scalars.prefix(4).flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) },
                          at: 3, in: checkpoint)
            #expect(throws: HDF5Error.self) { try Checkpoint.read(checkpoint) }
            do {
                _ = try Checkpoint.read(checkpoint)
            } catch let HDF5Error.damaged(file, object, _) {
                #expect(file == checkpoint && object == "/weights/classifier.weight")
            }
            let resumed = try withOneThread { try fixture.runner(experiment, fixture.options(resume: true)).run() }
            guard case let .failed(stop)? = resumed.reports.first?.outcome.status else {
                Issue.record("a damaged checkpoint was resumed: \(resumed.text)")
                return
            }
            #expect(stop.message.contains("\(checkpoint): /weights/classifier.weight: damaged"), "\(stop.message)")

            // Two epochs, so that the accuracies are not also the bytes of /final@best_test_acc.
            let results = fixture.results + "-complete"
            _ = try withOneThread { try fixture.runner(experiment, fixture.options(results: results, runs: results)).run() }
            let result = fixture.resultPath("a", results: results)
            let accuracies = try ResultStore.read(result).epochs.map(\.testAccuracy)
            try Self.flip(accuracies.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }, at: 7, in: result)
            do {
                _ = try ResultStore.read(result)
                Issue.record("a patched /epochs/test_acc was read")
            } catch let HDF5Error.damaged(file, object, _) {
                #expect(file == result && object == "/epochs/test_acc")
            }
        }

        @Test func aCheckpointWhoseSettingsAreOutOfBoundsIsRefused() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
            try withOneThread { try Self.interruptedAfterOneEpoch(fixture, experiment) }
            let path = fixture.checkpointPath("a")
            var checkpoint = try Checkpoint.read(path)
            let index = try #require(checkpoint.metadata.firstIndex { $0.name == "training_configuration" })
            guard case let .string(json) = checkpoint.metadata[index].value, json.contains("\"timeSteps\":3,") else {
                Issue.record("no timeSteps in \(checkpoint.metadata[index])")
                return
            }
            checkpoint.metadata[index].value = .string(json.replacingOccurrences(of: "\"timeSteps\":3,",
                                                                                 with: "\"timeSteps\":1000000000000,"))
            try checkpoint.write(to: path)
            do {
                _ = try fixture.runner(experiment, fixture.options(resume: true)).run()
                Issue.record("a checkpoint of T = 10¹² was planned for resuming")
            } catch let error as RunnerError {
                #expect(error.description.contains("\(path): /metadata@training_configuration: time_steps: T = 1000000000000 "
                    + "exceeds 10000"), "\(error)")
            }
        }

        @Test func resultsWrittenWithoutChecksumsStillRead() throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("results").path
            let files = ResultStore.resultFiles(in: root)
            try #require(!files.isEmpty, "the repository's results/ holds result files")
            for file in files { _ = try ResultStore.read(file) }
        }

        @Test func changedDataRefusesTheResumeNamingTheFile() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
            try withOneThread { try Self.interruptedAfterOneEpoch(fixture, experiment) }
            let labels = "\(fixture.data.folder)/t10k-labels-idx1-ubyte"
            var data = try Data(contentsOf: URL(fileURLWithPath: labels))
            data[data.count - 1] ^= 1
            try data.write(to: URL(fileURLWithPath: labels))

            let resumed = try withOneThread { try fixture.runner(experiment, fixture.options(resume: true)).run() }
            guard case let .failed(stop)? = resumed.reports.first?.outcome.status else {
                Issue.record("a resume on changed data went ahead: \(resumed.text)")
                return
            }
            #expect(stop.message.contains("the data changed since the run started: \(labels) is md5:"), "\(stop.message)")
            #expect(stop.message.contains("but \(fixture.resultPath("a")) recorded md5:"), "\(stop.message)")
            // Where the resume would have continued: after the checkpoint's one epoch.
            #expect(stop.epoch == 2 && stop.batch == 0)
            guard case .interrupted = try ResultStore.read(fixture.resultPath("a")).status else {
                Issue.record("the refused resume rewrote the result file")
                return
            }
        }

        /// The execution of `fixture`'s only planned run with `options`, its interrupt flag already
        /// set by SIGTERM: the data is the first thing it reads, so the interrupt stops the reading.
        static func executeInterrupted(_ fixture: RunnerFixture, _ experiment: Experiment,
                                       _ options: RunnerOptions) throws -> (PlannedRun.Action, RunStatus) {
            let planned = try #require(try fixture.runner(experiment, options).plan().first)
            let (dataset, resumedEpochs): (DatasetName, Int?) = switch planned.action {
            case let .start(dataset, _): (dataset, nil)
            case let .resume(dataset, afterEpoch): (dataset, afterEpoch)
            case .skip, .missingData, .sameRun: (.fashionMNIST, nil)
            }
            let flag = InterruptFlag()
            flag.request(signal: SIGTERM)
            let environment = RunEnvironment(
                experimentText: experiment.text, resultsRoot: options.resultsRoot, checkpointsRoot: options.checkpointsRoot,
                gitRevision: options.gitRevision, data: RunData(root: options.dataRoot, interrupt: flag), interrupt: flag,
                labelsProgress: false, onEpochRecorded: nil)
            let execution = RunExecution(task: planned, datasetUsed: dataset, resumedEpochs: resumedEpochs,
                                         environment: environment)
            return (planned.action, execution.execute())
        }

        /// A signal while a run reads its data (70,000 N-MNIST files take a while) ends it as
        /// interrupted before training, naming the file; a fresh run leaves no result file, and a
        /// resume leaves its result and checkpoint as they were.
        @Test func anInterruptWhileTheDataIsReadEndsTheRunBeforeTraining() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
            let firstFile = "\(fixture.data.folder)/train-images-idx3-ubyte"
            let (_, fresh) = try Self.executeInterrupted(fixture, experiment, fixture.options())
            guard case let .interrupted(stop) = fresh else {
                Issue.record("not interrupted: \(fresh)")
                return
            }
            #expect(stop.message == "stopped by SIGTERM in reading \(firstFile) before training began; "
                + "no result file was written (run it again to start)")
            #expect(!FileManager.default.fileExists(atPath: fixture.resultPath("a")))

            try withOneThread { try Self.interruptedAfterOneEpoch(fixture, experiment) }
            let before = try Data(contentsOf: URL(fileURLWithPath: fixture.resultPath("a")))
            let (action, resumed) = try Self.executeInterrupted(fixture, experiment, fixture.options(resume: true))
            #expect(action == .resume(dataset: .fashionMNIST, afterEpoch: 1))
            guard case let .interrupted(resumedStop) = resumed else {
                Issue.record("not interrupted: \(resumed)")
                return
            }
            #expect(resumedStop.message == "stopped by SIGTERM in reading \(firstFile) after 0 batches of epoch 2; "
                + "the checkpoint holds 1 completed epoch (continue with --resume)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.resultPath("a"))) == before)
        }

        @Test func sigtermInTheMiddleOfALongBatchEndsTheRunAsInterrupted() throws {
            try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build fsnn first: swift build")
            let fixture = try RunnerFixture()
            // One batch of T = 10,000 takes minutes; the run must stop inside it.
            let experiment = try fixture.experiment(tinyExperiment(defaults: ["time_steps: 10000", "epochs: 1"],
                                                                   rows: [("a", [])]))
            let (process, pipe) = try CommandLine.launch([
                "run", experiment.path, "--threads", "1", "--results", fixture.results, "--runs", fixture.runs,
                "--data-dir", fixture.data.root.path,
            ])
            let path = fixture.resultPath("a")
            let deadline = Date(timeIntervalSinceNow: 60)
            while !FileManager.default.fileExists(atPath: path), process.isRunning, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
            Thread.sleep(forTimeInterval: 0.5)
            kill(process.processIdentifier, SIGTERM)
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 130, "\(output)")
            guard case let .interrupted(stop) = try ResultStore.read(path).status else {
                Issue.record("not recorded as interrupted: \(output)")
                return
            }
            #expect(stop.message.hasPrefix("stopped by SIGTERM in the simulation at step "), "\(stop.message)")
            #expect(stop.epoch == 1 && stop.batch == 0)
        }

        /// A run killed by SIGKILL leaves its result `running` and its lock file behind: status,
        /// --watch, the report and summary.csv say "interrupted (process gone)" (issue 20, "silent").
        @Test func aKilledRunIsInterruptedProcessGoneInStatusAndReport() throws {
            try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build fsnn first: swift build")
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(defaults: ["epochs: 100"], rows: [("a", [])]))
            let (process, _) = try CommandLine.launch([
                "run", experiment.path, "--threads", "1", "--results", fixture.results, "--runs", fixture.runs,
                "--data-dir", fixture.data.root.path,
            ])
            let path = fixture.resultPath("a")
            let deadline = Date(timeIntervalSinceNow: 60)
            while ((try? ResultStore.read(path))?.epochs.isEmpty ?? true), process.isRunning, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(FileManager.default.fileExists(atPath: path + ".lock"), "the lock file stays")

            let status = try Self.fsnn(["status", fixture.results])
            #expect(status.status == 0)
            #expect(status.output.contains("interrupted (process gone) in epoch ")
                && status.output.contains("/100: pid \(process.processIdentifier) on host "), "\(status.output)")
            #expect(status.output.contains("1 run: 1 interrupted"), "\(status.output)")
            let watch = try Self.fsnn(["status", fixture.results, "--watch", "--interval", "1"])
            #expect(watch.status == 0 && watch.output.contains("1 run: 1 interrupted"), "--watch settles: \(watch.output)")
            let report = try Self.fsnn(["report", fixture.results, "--experiments", fixture.experimentsDirectory, "--no-render",
                                        "--data-dir", fixture.data.root.path])
            #expect(report.status == 0, "\(report.output)")
            let markdown = try String(contentsOfFile: "\(fixture.results)/REPORT.md", encoding: .utf8)
            #expect(markdown.contains("process gone: pid \(process.processIdentifier) on host "), "\(markdown)")
            let summary = try String(contentsOfFile: "\(fixture.results)/summary.csv", encoding: .utf8)
            #expect(summary.contains(",0,interrupted,"), "\(summary)")
        }

        /// A `running` result whose lock names a holder: alive here, gone from here, or on another
        /// host (which this host cannot check: "running?" with its age).
        @Test func theLockHolderTellsALiveRunFromADeadOne() throws {
            let fixture = try RunnerFixture()
            try ResultStore.write(syntheticRecord(table: "tiny", row: "a", status: .running), to: fixture.resultPath("a"))
            let scope = SweepStatus.Scope(resultsRoot: fixture.results, runsRoot: fixture.runs, experiment: nil,
                                          profile: .quick, dataRoot: fixture.data.root)
            func progress(holder: RunLock.Holder?) throws -> RunProgress? {
                let lock = fixture.resultPath("a") + ".lock"
                unlink(lock)
                if let holder { try (holder.text + "\n").write(toFile: lock, atomically: false, encoding: .utf8) }
                return SweepStatus.gather(scope, client: nil).entries.first?.progress
            }
            let (ended, _) = try launch("/bin/true", [])
            ended.waitUntilExit()
            let here = RunPlacement.current.host, hourAgo = Date(timeIntervalSinceNow: -3600)
            #expect(try progress(holder: nil) == .running(epoch: 3, of: 3))
            #expect(try progress(holder: RunLock.Holder(pid: getpid(), host: here, since: hourAgo)) == .running(epoch: 3, of: 3))
            let gone = try progress(holder: RunLock.Holder(pid: ended.processIdentifier, host: here, since: hourAgo))
            #expect(gone == .processGone(epoch: 3, of: 3, holder: "pid \(ended.processIdentifier) on host \(here)"))
            #expect(gone?.name == "interrupted")
            let elsewhere = try #require(try progress(holder: RunLock.Holder(pid: 7, host: "elsewhere-node", since: hourAgo)))
            #expect(elsewhere.description.hasPrefix("running?, epoch 3/3 (pid 7 on host elsewhere-node since "), "\(elsewhere)")
            #expect(elsewhere.description.hasSuffix(", 1h00m ago; on another host, not checked)"), "\(elsewhere)")
            let text = RunLock.Holder(pid: 7, host: "n1", since: hourAgo).text
            #expect(RunLock.Holder(text: text)?.text == text && RunLock.Holder(text: "pid x on host n1") == nil)
        }

        /// SIGTERM ends a run whose standard error nobody reads (a pipe of one page, full after
        /// the first lines): the progress write stops waiting, the run records itself interrupted.
        @Test func sigtermEndsARunWhoseStandardErrorIsNotRead() throws {
            try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build fsnn first: swift build")
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(defaults: ["epochs: 100"], rows: [("a", [])]))
            var ends: [Int32] = [0, 0]
            try #require(pipe(&ends) == 0)
            defer { close(ends[0]) }
            _ = fcntl(ends[1], 1031 /* F_SETPIPE_SZ */, 4096)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.executable)
            process.arguments = ["run", experiment.path, "--threads", "1", "--results", fixture.results, "--runs", fixture.runs,
                                 "--data-dir", fixture.data.root.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle(fileDescriptor: ends[1], closeOnDealloc: false)
            try process.run()
            close(ends[1])
            // Wait until the run has written its result file and is stuck on its progress lines.
            let deadline = Date(timeIntervalSinceNow: 60)
            var cpu = 0.0
            repeat {
                Thread.sleep(forTimeInterval: 1)
                let previous = cpu
                cpu = Self.cpuSeconds(of: process.processIdentifier)
                if FileManager.default.fileExists(atPath: fixture.resultPath("a")), cpu - previous < 0.05 { break }
            } while process.isRunning && Date() < deadline
            kill(process.processIdentifier, SIGTERM)
            let stopDeadline = Date(timeIntervalSinceNow: 10)
            while process.isRunning, Date() < stopDeadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                Issue.record("SIGTERM did not end the run within 10 s")
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(text)")
            guard case let .interrupted(stop) = try ResultStore.read(fixture.resultPath("a")).status else {
                Issue.record("not recorded as interrupted: \(text)")
                return
            }
            #expect(stop.message.hasPrefix("stopped by SIGTERM in writing progress after "), "\(stop.message)")
        }

        /// User plus system CPU seconds of process `pid` (/proc/<pid>/stat, in clock ticks).
        static func cpuSeconds(of pid: pid_t) -> Double {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let end = stat.lastIndex(of: ")") else { return 0 }
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
            return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }

        /// The console writer: a failed write is a typed error naming the stream, and a stream
        /// nobody reads gives up once the interrupt flag is set.
        @Test func consoleWritesThatFailAreTypedErrors() throws {
            let full = open("/dev/full", O_WRONLY)
            try #require(full >= 0)
            defer { close(full) }
            #expect(throws: ConsoleError.writeFailed(stream: "full", reason: "No space left on device")) {
                try ConsoleStream(descriptor: full, name: "full").write("x\n", interrupt: InterruptFlag())
            }
            var ends: [Int32] = [0, 0]
            try #require(pipe(&ends) == 0)
            defer { close(ends[0]); close(ends[1]) }
            _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
            let page = [UInt8](repeating: 0x2E, count: 4096)
            while write(ends[1], page, page.count) > 0 {}
            _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) & ~O_NONBLOCK)
            let flag = InterruptFlag()
            flag.request(signal: SIGTERM)
            #expect(throws: ConsoleError.writeFailed(stream: "pipe", reason: "SIGTERM arrived while its reader was not reading")) {
                try ConsoleStream(descriptor: ends[1], name: "pipe").write("x\n", interrupt: flag)
            }
        }
    }
}
