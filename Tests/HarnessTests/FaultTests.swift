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
            case .skip, .missingData: (.fashionMNIST, nil)
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
    }
}
