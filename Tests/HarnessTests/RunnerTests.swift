import Datasets
import Foundation
import Harness
import TestSupport
import Testing

extension RunnerTests {
    /// The runner end to end on generated data: result files, skipping, refusals, failures,
    /// missing data, the report.
    @Suite struct Runs {
        @Test func aTableRunsEndToEndAndTheReportShowsPaperAndMeasuredColumns() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [
                ("fmnist-if", ["label: \"F400 IF\"", "paper: {mean: 90.04, std: 0.09, best: 90.14}",
                               "convergence: {steps: 7, batches: 2}"]),
                ("fmnist-if-stbp", ["label: \"F400 IF\"", "twin: fmnist-if", "method: stbp",
                                    "convergence: {steps: 7, batches: 2}"]),
                ("mnist-if", ["dataset: mnist", "paper: {mean: 99.49}"]),
            ]))
            let summary = try fixture.runner(experiment, fixture.options(.smoke)).run()
            #expect(summary.reports.map(\.outcome) == [
                .finished(.complete), .finished(.complete),
                .missingData("mnist not found under \(fixture.data.root.path)"),
            ], "\(summary.text)")
            #expect(summary.exitCode == 0)
            #expect(!FileManager.default.fileExists(atPath: fixture.resultPath("mnist-if")))

            let md5sums = try #require(try runTool("md5sum", try FileManager.default.contentsOfDirectory(atPath: fixture.data.folder)
                .sorted().map { "\(fixture.data.folder)/\($0)" }), "md5sum is not installed")
            let expectedChecksums = Set(md5sums.output.split(separator: "\n").map { "md5:" + $0.prefix(32) })
            for (row, method) in [("fmnist-if", "ide"), ("fmnist-if-stbp", "stbp")] {
                let path = fixture.resultPath(row)
                let dump = try #require(try runTool("h5dump", ["-H", path]), "h5dump is not installed")
                #expect(dump.status == 0, "h5dump cannot read \(path): \(dump.output)")
                let record = try ResultStore.read(path)
                #expect(record.status == .complete && record.profile == .smoke && record.seed == 0)
                #expect(record.setting("method") == .string(method) && record.setting("time_steps") == .integer(3))
                #expect(record.provenance.datasetUsed == "fashion-mnist" && record.provenance.gitRevision == "test-revision")
                #expect(record.provenance.trainSamples == 24 && record.provenance.testSamples == 8)
                // All 48 training images; the one test batch is the first 8 of the stratified
                // order, one image of each of 8 classes (32 test images, labels cycling 0…9).
                #expect(record.provenance.trainSelection == SampleSelection(rule: .all, classCounts: [5, 5, 5, 5, 5, 5, 5, 5, 4, 4]))
                #expect(record.provenance.testSelection == SampleSelection(rule: .stratified, classCounts: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]))
                #expect(Set(record.provenance.dataFiles.map(\.checksum)) == expectedChecksums)
                #expect(record.provenance.dataFiles.map(\.file).allSatisfy { $0.hasPrefix("fashion-mnist/") })
                #expect(record.experimentYAML == experiment.text && record.layerNames == ["hidden"])
                #expect(record.epochs.count == 1 && record.memory.peakBytes.count == 3)
                #expect(record.memory.peakBytes.allSatisfy { $0 > 0 })
                #expect(record.epochs[0].solverIterations.isNaN == (method == "stbp"))
                let rates = try #require(record.rates)
                #expect(rates.neurons == [400] && rates.samples == 8 && rates.timeSteps == 3 && rates.epoch == 1)
                #expect(rates.rates == record.epochs[0].layerFiringRates, "the final model is the last epoch's")
                #expect(record.convergence.map(\.name) == ["untrained", "trained"])
                for trace in record.convergence {
                    #expect(trace.residualMean.count == 7 && trace.samples == 16)
                    #expect(trace.residualMean.allSatisfy { $0.isFinite && $0 >= 0 })
                }
            }

            let report = try ReportGenerator(experimentsDirectory: fixture.experimentsDirectory,
                                             resultsDirectory: fixture.results, renderFigures: false).write()
            let text = try String(contentsOfFile: report.reportPath, encoding: .utf8)
            // Smoke runs on 24 training images: each in the coverage matrix and Appendix A, never beside the paper's number.
            for (row, method) in [("fmnist-if", "IDE"), ("fmnist-if-stbp", "STBP")] {
                #expect(text.contains("| tiny | `\(row)` | \(method) | smoke | 1/1 | subset | "), "\(text)")
                #expect(text.contains("| F400 IF | \(method) | fashion-mnist 24/8 | smoke | 1 | 1/1 | "), "\(text)")
            }
            #expect(!text.contains("| 90.04 ± 0.09 (90.14) |"), "no paper number beside a smoke run: \(text)")
            #expect(text.contains("not run at `smoke`: `mnist-if`"), "\(text)")
        }

        @Test func completeResultsAreSkippedAndThoseOfAnotherProfileAreNotOverwrittenUnlessAsked() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
            _ = try fixture.runner(experiment, fixture.options(.smoke)).run()
            let path = fixture.resultPath("a")
            let before = try Data(contentsOf: URL(fileURLWithPath: path))

            let again = try fixture.runner(experiment, fixture.options(.smoke)).run()
            #expect(again.reports.map(\.outcome) == [.alreadyComplete] && again.exitCode == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

            do {
                _ = try fixture.runner(experiment, fixture.options(.quick)).run()
                Issue.record("a complete smoke result was replaced by a quick run")
            } catch let error as RunnerError {
                #expect(error.description.contains("\(path) holds a complete run of profile smoke; profile quick was requested"),
                        "\(error)")
                #expect(error.description.contains("epochs 1 → 2") && error.description.contains("--overwrite"), "\(error)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

            let edited = try fixture.experiment(tinyExperiment(defaults: ["time_steps: 4"], rows: [("a", [])]))
            #expect(throws: RunnerError.self) { try fixture.runner(edited, fixture.options(.smoke)).plan() }

            let replaced = try fixture.runner(experiment, fixture.options(.quick, overwrite: true)).run()
            #expect(replaced.reports.map(\.outcome) == [.finished(.complete)])
            let record = try ResultStore.read(path)
            #expect(record.profile == .quick && record.epochs.count == 2)
        }

        /// A request of which nothing could run because every selected row's dataset is absent
        /// fails (a fresh machine before `make setup`), naming what to install; some rows absent
        /// among others that train is not a failure.
        @Test func aRequestWhoseEveryRowLacksItsDataFails() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [
                ("m1", ["dataset: mnist"]), ("m2", ["dataset: mnist", "twin: m1", "method: stbp"]),
            ]))
            let summary = try fixture.runner(experiment, fixture.options(.smoke)).run()
            #expect(summary.allDataMissing && summary.exitCode == 1, "\(summary.text)")
            #expect(summary.text.contains("Nothing was trained: the data of every selected row is missing"), "\(summary.text)")
        }

        @Test func aDivergingRunIsRecordedAsFailedAndTheTableContinues() throws {
            let fixture = try RunnerFixture()
            // Adam's first step is ≈ lr in every coordinate, and lr/(1 − β₁) = 1e39 overflows
            // Float32: the first update makes the weights infinite or NaN.
            let experiment = try fixture.experiment(tinyExperiment(rows: [
                ("boom", ["optimizer: adam", "learning_rate: 1.0e+38"]), ("fine", []),
            ]))
            let summary = try fixture.runner(experiment, fixture.options()).run()
            #expect(summary.exitCode == 1)
            guard case let .failed(stop)? = summary.reports.first?.outcome.status else {
                Issue.record("not failed: \(summary.text)")
                return
            }
            #expect(stop.epoch == 1 && stop.batch == 0)
            #expect(stop.message.contains("not finite"), "\(stop.message)")
            let failed = try ResultStore.read(fixture.resultPath("boom"))
            #expect(failed.status == .failed(stop) && failed.epochs.isEmpty)
            #expect(summary.reports.last?.outcome == .finished(.complete))
            #expect(try ResultStore.read(fixture.resultPath("fine")).status == .complete)

            let report = try ReportGenerator(experimentsDirectory: fixture.experimentsDirectory,
                                             resultsDirectory: fixture.results, renderFigures: false).write()
            let text = try String(contentsOfFile: report.reportPath, encoding: .utf8)
            #expect(text.contains("`boom` seed 0 (quick): failed at epoch 1, batch 0: "), "\(text)")
        }

        @Test func quirkB4DividesTheRecordedLayerRatesByFive() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [
                ("plain", []), ("div5", ["quirks: [rate_stats_div5]"]),
            ]))
            _ = try fixture.runner(experiment, fixture.options(.smoke)).run()
            let plain = try ResultStore.read(fixture.resultPath("plain")), div5 = try ResultStore.read(fixture.resultPath("div5"))
            #expect(plain.rates?.rates == plain.epochs[0].layerFiringRates)
            #expect(div5.rates?.rates == div5.epochs[0].layerFiringRates.map { $0 / 5 })
            #expect(div5.rates?.synapticOperations == plain.rates?.synapticOperations, "SOPs stay true; same seed, same model")
        }

        /// `local` is optional: a file without it has no local runs, and asking for them is an
        /// error naming the file; a file with it resolves it like any profile.
        @Test func theLocalProfileIsOptionalButNeverSilentlyMissing() throws {
            let fixture = try RunnerFixture()
            let without = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
            #expect(!without.defines(.local))
            #expect(throws: RunnerError.undefinedProfile("local", file: without.path)) {
                try fixture.runner(without, fixture.options(.local)).plan()
            }
            let text = tinyExperiment(rows: [("a", [])]).replacingOccurrences(of: "  paper: {}\n",
                                                                             with: "  paper: {}\n  local: {epochs: 1}\n")
            let with = try fixture.experiment(text, name: "with-local.yaml")
            #expect(try fixture.runner(with, fixture.options(.local)).plan().map(\.run.training.epochs) == [1])
        }

        /// `--dry-run` lists the planned runs with an estimate from a probe and writes nothing.
        @Test func dryRunEstimatesPlannedRunsAndWritesNothing() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", []), ("m", ["dataset: mnist"])]))
            let estimate = try RunEstimate(fixture.runner(experiment, fixture.options()), probeIterations: 2)
            #expect(estimate.lines.map(\.action) == ["start", "data missing"])
            let line = try #require(estimate.lines.first)
            #expect(line.epochs == 2 && line.batchesPerEpoch == 3)
            let perIteration = try #require(line.secondsPerIteration), seconds = try #require(line.seconds)
            #expect(perIteration > 0 && seconds >= 6 * perIteration, "2 epochs of 3 iterations, plus evaluation")
            #expect(estimate.text.contains("| a | 0 | start | 2 × 3 |") && estimate.text.contains("1 run to train, about "),
                    "\(estimate.text)")
            #expect(!FileManager.default.fileExists(atPath: fixture.results) && !FileManager.default.fileExists(atPath: fixture.runs))
        }

        /// `--dry-run --save-estimate` probes complete rows too (their lines still skip) and keeps
        /// one line per row, which reads back equal; a plain dry run probes only what it would train.
        @Test func aSavedEstimateCoversCompleteRowsAndReadsBack() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
            _ = try fixture.runner(experiment, fixture.options()).run()
            let plain = try RunEstimate(fixture.runner(experiment, fixture.options()), probeIterations: 2)
            #expect(plain.lines.map(\.action) == ["skip (complete)"] && plain.rows.isEmpty)
            let probed = try RunEstimate(fixture.runner(experiment, fixture.options()), probeIterations: 2,
                                         probingCompleteRuns: true)
            #expect(probed.lines.map(\.action) == ["skip (complete)"] && probed.lines[0].seconds == nil)
            let row = try #require(probed.rows.first)
            #expect(probed.rows.count == 1 && row.row == "a" && row.seeds == 1 && row.epochs == 2 && row.batchesPerEpoch == 3)
            #expect(row.secondsPerIteration > 0 && row.secondsPerEpoch >= 3 * row.secondsPerIteration)
            let estimate = ProtocolEstimate(table: experiment.file.table, profile: "quick", gitRevision: "test-revision",
                                            probeIterations: 2, rows: probed.rows)
            try estimate.write(in: fixture.results)
            let path = ProtocolEstimate.path(in: fixture.results, table: experiment.file.table, profile: "quick")
            #expect(try ProtocolEstimate.read(path) == estimate)
            try "{\"table\": 3}".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: RunFileError.self) { try ProtocolEstimate.read(path) }
            do {
                _ = try ProtocolEstimate.read(path)
            } catch {
                #expect("\(error)".hasPrefix("\(path): estimate: not an fsnn estimate"), "\(error)")
            }
        }

        @Test func unknownRowsAreRefusedWithTheRowsOfTheFile() throws {
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", []), ("b", [])]))
            var options = fixture.options()
            options.rows = ["b", "c"]
            #expect(throws: RunnerError.unknownRows(["c"], file: experiment.path, known: ["a", "b"])) {
                try fixture.runner(experiment, options).plan()
            }
            options.rows = ["b"]
            options.seeds = [3, 1]
            #expect(try fixture.runner(experiment, options).plan().map { "\($0.run.row)/\($0.seed)" } == ["b/3", "b/1"])
        }

        @Test func theFallbackDatasetStandsInOnlyForAMissingDataset() throws {
            let data = try GeneratedData()
            let folder = data.directory.file("data/cifar10")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let text = """
                table: cifar
                title: "CIFAR"
                kind: accuracy
                defaults: {model: alexnet_f, neuron: if, time_steps: 2, seeds: [0], dataset: cifar10}
                profiles: {paper: {}, quick: {}, smoke: {}}
                rows:
                  - id: with-fallback
                    dataset_fallback: cifar10-subset
                  - id: without
                """
            let runs = try Experiment(text: text, path: "cifar.yaml").runs(.quick)
            guard case let .missing(summary, details) = DataAvailability.of(runs[0], in: data.root) else {
                Issue.record("found data that is not there")
                return
            }
            #expect(summary == "cifar10 not found under \(data.root.path), nor its fallback cifar10-subset")
            #expect(details.contains("\(folder)/data_batch_1.bin") && details.contains("\(folder)/\(DatasetName.cifar10SubsetFile)"))

            #expect(FileManager.default.createFile(atPath: "\(folder)/\(DatasetName.cifar10SubsetFile)", contents: Data([0])))
            #expect(DataAvailability.of(runs[0], in: data.root) == .available(.cifar10Subset))
            guard case let .missing(alone, _) = DataAvailability.of(runs[1], in: data.root) else {
                Issue.record("a row without a fallback used one")
                return
            }
            #expect(alone == "cifar10 not found under \(data.root.path)")

            // Partly present is not missing: the row reads it and fails naming the missing files.
            #expect(FileManager.default.createFile(atPath: "\(folder)/data_batch_1.bin", contents: Data([0])))
            #expect(DataAvailability.of(runs[0], in: data.root) == .available(.cifar10),
                    "an incomplete CIFAR-10 was replaced by the fallback or called missing")
        }
    }

    /// The command line: parallel jobs in child processes, and Ctrl-C.
    @Suite struct CommandLine {
        /// The debug build of fsnn beside these tests (`make test` builds it first).
        static var executable: String {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            return root.appendingPathComponent(".build/debug/fsnn").path
        }

        static func launch(_ arguments: [String]) throws -> (process: Process, output: Pipe) {
            try TestSupport.launch(executable, arguments)
        }

        @Test func jobsRunEachRunInItsOwnSingleThreadedProcess() throws {
            try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build fsnn first: swift build")
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(rows: [("a", ["seeds: [0, 1]"]), ("b", [])]))
            let (process, pipe) = try Self.launch([
                "run", experiment.path, "--profile", "smoke", "--jobs", "2", "--results", fixture.results,
                "--runs", fixture.runs, "--data-dir", fixture.data.root.path,
            ])
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(output)")
            for (row, seed) in [("a", 0), ("a", 1), ("b", 0)] {
                let record = try ResultStore.read(fixture.resultPath(row, seed: seed))
                #expect(record.status == .complete && record.seed == seed)
                #expect(record.provenance.blasThreads == 1 && record.provenance.workerThreads == 1)
                #expect(output.contains("[tiny/\(row) seed \(seed)] epoch 1/1 "), "\(output)")
            }
            #expect(output.contains("tiny (profile smoke): 3 complete"), "\(output)")
        }

        @Test func ctrlCRecordsTheRunAsInterruptedAndExitsWith130() throws {
            try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build fsnn first: swift build")
            let fixture = try RunnerFixture()
            let experiment = try fixture.experiment(tinyExperiment(defaults: ["epochs: 100"], rows: [("a", [])]))
            let (process, pipe) = try Self.launch([
                "run", experiment.path, "--results", fixture.results, "--runs", fixture.runs,
                "--data-dir", fixture.data.root.path,
            ])
            let path = fixture.resultPath("a")
            let deadline = Date(timeIntervalSinceNow: 60)
            while (try? ResultStore.read(path))?.epochs.isEmpty ?? true, process.isRunning, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
            kill(process.processIdentifier, SIGINT)
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 130, "\(output)")
            let record = try ResultStore.read(path)
            guard case let .interrupted(stop) = record.status else {
                Issue.record("status \(record.status.name): \(output)")
                return
            }
            #expect(stop.message.contains("SIGINT") && stop.epoch == record.epochs.count + 1, "\(stop)")
            #expect(try Checkpoint.readSummary(fixture.checkpointPath("a")).progress.epoch == record.epochs.count)
        }
    }
}

@Suite struct IndexListTests {
    @Test func rangesAndListsParseInTheOrderWritten() throws {
        #expect(try IndexList.parse("0-3") == [0, 1, 2, 3])
        #expect(try IndexList.parse("5,1,2-3") == [5, 1, 2, 3])
        #expect(try IndexList.parse("7") == [7])
    }

    @Test(arguments: ["", "3-1", "-1", "a", "1,,2", "1-2-3", "2-"])
    func malformedListsAreRefusedNamingThePart(_ text: String) {
        #expect(throws: IndexListError.self) { try IndexList.parse(text) }
    }
}
