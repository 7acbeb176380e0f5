import Foundation
@testable import Harness
import TestSupport
import Testing

/// The Slurm path without Slurm: option checks, the scripts fsnn writes, the parsers of Slurm's
/// output, the task's requeue policy. `make test-slurm` runs the same code against real daemons.
@Suite struct SlurmTests {
    // MARK: Options

    @Test func timeLimitsReadEverySlurmForm() throws {
        let cases: [(String, Int)] = [
            ("90", 5400), ("5:30", 330), ("02:00:00", 7200), ("1-0", 86_400), ("1-12", 129_600),
            ("2-03:04", 183_840), ("1-00:00:01", 86_401), ("100:00:00", 360_000),
        ]
        for (text, seconds) in cases { #expect(try SlurmTimeLimit(text).seconds == seconds, "\(text)") }
        for text in ["", "0", "0:00:00", "1:60", "1:2:60", "1:60:00", "1-24", "1-1:60", "1:2:3:4", "1-2-3", "-5", "a",
                     "1.5", " 5", "1-", "-1:00", "１"] {
            #expect(throws: SlurmOptionError.invalidTimeLimit(text), "\(text)") { try SlurmTimeLimit(text) }
        }
        #expect(SlurmTimeLimit(seconds: 7200).description == "02:00:00")
        #expect(SlurmTimeLimit(seconds: 183_845).description == "2-03:04:05")
        #expect(try SlurmTimeLimit(SlurmTimeLimit(seconds: 99_999).description).seconds == 99_999)
    }

    @Test func optionsAreCheckedBeforeAnythingIsWritten() throws {
        try SlurmOptions().validate()
        func problem(_ change: (inout SlurmOptions) throws -> Void) throws -> SlurmOptionError? {
            var options = SlurmOptions()
            try change(&options)
            do { try options.validate() } catch { return error }
            return nil
        }
        #expect(try problem { $0.cpusPerTask = 0 } == .outOfRange(option: "--cpus-per-task", value: 0, range: 1...256))
        #expect(try problem { $0.maxParallel = 0 } == .outOfRange(option: "--max-parallel", value: 0, range: 1...100_000))
        #expect(try problem { $0.maxRequeues = -1 } == .outOfRange(option: "--max-requeues", value: -1, range: 0...1000))
        #expect(try problem { $0.signalBefore = 70_000 } == .outOfRange(option: "--signal-before", value: 70_000, range: 1...65_535))
        let limit = try SlurmTimeLimit("5:00")
        #expect(try problem { $0.timeLimit = limit } == .signalNotBeforeLimit(signalSeconds: 300, limit: limit))
        #expect(try problem { $0.timeLimit = limit; $0.signalBefore = 299 } == nil)
        #expect(try problem { $0.memory = "4G" } == nil && (try problem { $0.memory = "16000" }) == nil)
        for memory in ["4GB", "G", "", "-4G", "4 G"] { #expect(try problem { $0.memory = memory } == .invalidMemory(memory)) }
        #expect(try problem { $0.partition = "cpu,gpu-long" } == nil)
        #expect(try problem { $0.partition = "a b" } == .invalidPartition("a b"))
        #expect(try problem { $0.sbatchArguments = ["--account=snn", "--qos=long", "-A", "--exclusive"] } == nil)
        for argument in ["--array=0-3", "--time=1:00", "-c4", "-a", "--output=x", "--signal=B:TERM@60", "--no-requeue"] {
            guard case .invalidSbatchArgument(argument, let reason)? = try problem({ $0.sbatchArguments = [argument] }) else {
                Issue.record("\(argument) was accepted")
                continue
            }
            #expect(reason.contains("fsnn sets"))
        }
        for argument in ["account=snn", "-", "--account=a\n#SBATCH --array=1"] {
            guard case .invalidSbatchArgument? = try problem({ $0.sbatchArguments = [argument] }) else {
                Issue.record("\(argument) was accepted")
                continue
            }
        }
        #expect("\(SlurmOptionError.invalidTimeLimit("1:60"))".contains("--time 1:60"))
    }

    // MARK: Slurm's output

    @Test func sbatchParsableOutputGivesTheJobId() {
        #expect(SlurmOutput.jobId(fromSbatch: "12\n") == 12)
        #expect(SlurmOutput.jobId(fromSbatch: "4711;cluster-a\n") == 4711)
        #expect(SlurmOutput.jobId(fromSbatch: "sbatch: warning: x\n13\n") == 13)
        for output in ["", "\n", "Submitted batch job 12\n", "0\n", "-3\n", "12a\n"] {
            #expect(SlurmOutput.jobId(fromSbatch: output) == nil, "\(output)")
        }
    }

    /// Lines as squeue 22.05 printed them for a throttled array, a requeued task, a cancelled
    /// array that never started, a plain job and a held one.
    @Test func squeueRecordsAreReadOneJobOrTaskPerLine() throws {
        let output = """
            1_2|5|1|2|COMPLETED|None|localhost
            1_0|2|1|0|PENDING|JobArrayTaskLimit|
            1_4|1|1|4|RUNNING|None|localhost

            4|4|4|N/A|CANCELLED|Resources|
            8|8|8|N/A|PENDING|JobHeldUser|

            """
        let jobs = try SlurmOutput.jobs(fromSqueue: output)
        #expect(jobs == [
            SlurmJobState(id: "1_2", jobId: 5, arrayJobId: 1, arrayTaskId: 2, state: "COMPLETED", nodes: "localhost"),
            SlurmJobState(id: "1_0", jobId: 2, arrayJobId: 1, arrayTaskId: 0, state: "PENDING", reason: "JobArrayTaskLimit"),
            SlurmJobState(id: "1_4", jobId: 1, arrayJobId: 1, arrayTaskId: 4, state: "RUNNING", nodes: "localhost"),
            SlurmJobState(id: "4", jobId: 4, state: "CANCELLED", reason: "Resources"),
            SlurmJobState(id: "8", jobId: 8, state: "PENDING", reason: "JobHeldUser"),
        ])
        #expect(jobs.job(array: 1, task: 4)?.jobId == 1)
        #expect(jobs.job(array: 1, task: 0)?.summary == "PENDING (JobArrayTaskLimit)")
        #expect(jobs.job(array: 1, task: 4)?.summary == "RUNNING on localhost")
        #expect(jobs.job(array: 4, task: 1)?.state == "CANCELLED", "a task of an array record never split")
        #expect(jobs.job(array: 8, task: nil)?.isLive == true && jobs.job(array: 1, task: 2)?.isLive == false)
        #expect(jobs.job(array: 1, task: 9) == nil && jobs.job(array: 99, task: nil) == nil)
        #expect(try SlurmOutput.jobs(fromSqueue: "") == [])

        let malformed: [(String, String)] = [
            ("1_2|5|1|2|COMPLETED|None", "6 fields"), ("x|y|1|2|RUNNING|None|", "no job id"),
            ("1_2|5|1|2||None|", "no job state"), ("1_2|5|1|2|running|None|", "no job state"),
            ("1_2|5||2|RUNNING|None|", "without its array job id"), ("1|1|1|[2-4]|PENDING|None|", "neither a number"),
        ]
        for (line, reason) in malformed {
            #expect(throws: SlurmOutputError.self, "\(line)") { try SlurmOutput.jobs(fromSqueue: "1|1|1|N/A|RUNNING|None|n\n" + line) }
            do { _ = try SlurmOutput.jobs(fromSqueue: "1|1|1|N/A|RUNNING|None|n\n" + line) } catch {
                #expect(error.line == 2 && error.reason.contains(reason), "\(error)")
            }
        }
    }

    @Test func theJobOfAProcessComesFromSlurmsEnvironment() {
        let task = SlurmJobIdentity(environment: ["SLURM_JOB_ID": "15", "SLURM_ARRAY_JOB_ID": "12", "SLURM_ARRAY_TASK_ID": "3",
                                                  "SLURM_RESTART_COUNT": "2"])
        #expect(task == SlurmJobIdentity(jobId: 15, arrayJobId: 12, arrayTaskId: 3, restartCount: 2))
        #expect(task?.schedulerId == "12_3")
        let job = SlurmJobIdentity(environment: ["SLURM_JOB_ID": "7"])
        #expect(job == SlurmJobIdentity(jobId: 7) && job?.schedulerId == "7")
        #expect(SlurmJobIdentity(environment: [:]) == nil)
        #expect(SlurmJobIdentity(environment: ["SLURM_JOB_ID": "x"]) == nil)
    }

    @Test func aFailingCommandIsReportedVerbatimWithItsCommandLine() throws {
        let client = SlurmClient(environment: ["PATH": "/usr/bin:/bin"])
        let script = "echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2; exit 1"
        #expect(throws: SlurmCommandError.failed(
            commandLine: "sh -c '\(script.replacingOccurrences(of: "'", with: "'\\''"))'", status: "exit status 1",
            errorOutput: "sbatch: error: Batch job submission failed: Invalid partition name specified\n")) {
            try client.run("sh", ["-c", script])
        }
        #expect(try client.run("sh", ["-c", "echo 42; echo warning >&2"]) == "42\n")
        #expect(throws: SlurmCommandError.notFound(tool: "sbatch-not-installed", searchPath: ["/usr/bin", "/bin"])) {
            try client.run("sbatch-not-installed", [])
        }
        let failed = SlurmCommandError.failed(commandLine: "sbatch --parsable /x.sbatch", status: "exit status 1",
                                              errorOutput: "sbatch: error: invalid partition specified: nope\n")
        #expect(failed.description == "`sbatch --parsable /x.sbatch` failed with exit status 1:\n"
            + "sbatch: error: invalid partition specified: nope")
    }

    // MARK: Scripts

    private func context(_ root: String = "/shared/fsnn") -> SbatchScript.Context {
        SbatchScript.Context(executable: "\(root)/.build/release/fsnn", experimentPath: "\(root)/experiments/table1.yaml",
                             table: "table1", profile: .paper, resultsRoot: "\(root)/results",
                             checkpointsRoot: "\(root)/runs", dataRoot: "\(root)/data", workingDirectory: root)
    }

    private let tasks = [
        SlurmTask(index: 0, row: "mnist-if", seed: 0, action: "start"),
        SlurmTask(index: 1, row: "mnist-if", seed: 1, action: "resume after epoch 3"),
        SlurmTask(index: 2, row: "fmnist-lif-stbp", seed: 4, action: "start"),
    ]

    @Test func theArrayScriptHasOneTaskPerRunAndTheSchedulingOptions() throws {
        var options = SlurmOptions()
        options.partition = "cpu"
        options.timeLimit = try SlurmTimeLimit("1-12:00:00")
        options.cpusPerTask = 4
        options.memory = "8G"
        options.maxParallel = 2
        options.sbatchArguments = ["--account=snn"]
        options.signalBefore = 600
        options.maxRequeues = 5
        let script = SbatchScript.array(tasks, options: options, context: context())
        #expect(script.path == "/shared/fsnn/runs/slurm/table1.sbatch")
        let lines = script.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "#!/bin/bash")
        #expect(lines.filter { $0.hasPrefix("#SBATCH") } == [
            "#SBATCH --job-name=fsnn-table1", "#SBATCH --array=0-2%2", "#SBATCH --cpus-per-task=4",
            "#SBATCH --partition=cpu", "#SBATCH --time=1-12:00:00", "#SBATCH --mem=8G", "#SBATCH --requeue",
            "#SBATCH --signal=B:USR1@600", "#SBATCH --open-mode=append",
            "#SBATCH --output=/shared/fsnn/runs/slurm/table1-%A_%a.out", "#SBATCH --chdir=/shared/fsnn",
            "#SBATCH --account=snn",
        ])
        #expect(lines.contains("  'mnist-if 0'         # 0") && lines.contains("  'fmnist-lif-stbp 4'  # 2"))
        #expect(script.text.contains("--slurm-task --max-requeues 5\n"))
        #expect(!script.text.contains("--resume") && !script.text.contains("--overwrite"))

        var resuming = context()
        resuming.resume = true
        #expect(SbatchScript.array(tasks, options: SlurmOptions(), context: resuming).text.contains("--max-requeues 3 --resume\n"))
        let plain = SbatchScript.array(tasks, options: SlurmOptions(), context: context()).text
        #expect(plain.contains("#SBATCH --array=0-2\n") && !plain.contains("--partition") && !plain.contains("--time"))
    }

    /// The script runs as bash would run it in a task: `SLURM_ARRAY_TASK_ID` picks the row and
    /// seed, `SLURM_CPUS_PER_TASK` the threads, paths with quotes stay one word. The fsnn
    /// executable is replaced by a script that prints its arguments.
    @Test func theArrayScriptPicksItsTasksRunAsBashRunsIt() throws {
        let directory = try TemporaryDirectory()
        let root = directory.file("it's here")
        try FileManager.default.createDirectory(atPath: "\(root)/.build/release", withIntermediateDirectories: true)
        let printer = "\(root)/.build/release/fsnn"
        try "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n".write(toFile: printer, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: printer)
        let script = SbatchScript.array(tasks, options: SlurmOptions(), context: context(root))
        let path = directory.file("array.sbatch")
        try script.text.write(toFile: path, atomically: true, encoding: .utf8)
        let syntax = try #require(try runTool("bash", ["-n", path]))
        #expect(syntax.status == 0, "\(syntax.output)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [path]
        process.environment = ["SLURM_ARRAY_TASK_ID": "2", "SLURM_CPUS_PER_TASK": "4", "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let words = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        process.waitUntilExit()
        #expect(words == ["run", "\(root)/experiments/table1.yaml", "--profile", "paper", "--rows", "fmnist-lif-stbp",
                          "--seeds", "4", "--threads", "4", "--results", "\(root)/results", "--runs", "\(root)/runs",
                          "--data-dir", "\(root)/data", "--slurm-task", "--max-requeues", "3"])
    }

    @Test func theReportScriptRegeneratesTheReportOfTheSharedResults() throws {
        var options = SlurmOptions()
        options.partition = "cpu"
        options.cpusPerTask = 8
        options.sbatchArguments = ["--account=snn"]
        let script = SbatchScript.report(options: options, context: context())
        #expect(script.path == "/shared/fsnn/runs/slurm/table1.report.sbatch")
        #expect(script.text.contains("#SBATCH --job-name=fsnn-table1-report\n#SBATCH --cpus-per-task=1\n#SBATCH --partition=cpu\n"))
        #expect(script.text.contains("#SBATCH --account=snn\n"))
        #expect(!script.text.contains("#SBATCH --dependency"), "the dependency is given when submitting, with the array's id")
        #expect(script.text.hasSuffix("exec '/shared/fsnn/.build/release/fsnn' report '/shared/fsnn/results' "
            + "--experiments '/shared/fsnn/experiments'\n"))
        let syntax = try #require(try runTool("bash", ["-n", "-c", script.text]))
        #expect(syntax.status == 0)
    }

    // MARK: Planning

    @Test func aSweepPlansAsTheLocalRunnerAndSubmitsOnlyRunsThatTrain() throws {
        let fixture = try RunnerFixture()
        let experiment = try fixture.experiment(tinyExperiment(
            defaults: ["seeds: [0, 1]"], rows: [("a", []), ("mnist-if", ["dataset: mnist"]), ("b", [])]))
        var options = fixture.options()
        options.resultsRoot = "results"
        options.checkpointsRoot = fixture.runs
        let runner = fixture.runner(experiment, options)
        var slurm = SlurmOptions()
        slurm.maxParallel = 2
        let submitFrom = fixture.data.directory.file("submit")
        let sweep = try SlurmSweep(runner: runner, options: slurm, executable: "bin/fsnn", workingDirectory: submitFrom)
        #expect(sweep.tasks.map { "\($0.index) \($0.row) \($0.seed) \($0.action)" } == [
            "0 a 0 start", "1 a 1 start", "2 b 0 start", "3 b 1 start",
        ])
        #expect(sweep.notSubmitted.count == 2 && sweep.notSubmitted.allSatisfy { $0.contains("data missing") })
        #expect(sweep.context.resultsRoot == "\(submitFrom)/results" && sweep.context.executable == "\(submitFrom)/bin/fsnn")
        #expect(sweep.context.checkpointsRoot == fixture.runs && sweep.context.experimentsDirectory == fixture.experimentsDirectory)
        let text = sweep.dryRunText
        #expect(text.contains("#SBATCH --array=0-3%2\n") && text.contains("4 tasks, at most 2 at once:\n"))
        #expect(text.contains("task  row  seed  first start\n0     a    0     start\n"))
        #expect(text.contains("not submitted:\n  mnist-if seed 0: data missing"))
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.runs)/slurm"), "planning writes nothing")

        options.checkpointsRoot = fixture.data.directory.file("my runs")
        #expect(throws: SlurmSweepError.unusablePath(fixture.data.directory.file("my runs/slurm"))) {
            try SlurmSweep(runner: fixture.runner(experiment, options), options: slurm, executable: "fsnn",
                           workingDirectory: submitFrom)
        }
    }

    @Test func aRunThatTrainsIsATaskWithWhatItsFirstStartDoes() {
        let run = try! Experiment(text: tinyExperiment(rows: [("a", [])]), path: "tiny.yaml").runs(.quick)[0]
        let plan = [
            PlannedRun(run: run, seed: 0, action: .skip),
            PlannedRun(run: run, seed: 1, action: .start(dataset: .fashionMNIST, note: nil)),
            PlannedRun(run: run, seed: 2, action: .resume(dataset: .fashionMNIST, afterEpoch: 3)),
            PlannedRun(run: run, seed: 3, action: .missingData(summary: "gone", details: "nowhere")),
            PlannedRun(run: run, seed: 4, action: .start(dataset: .fashionMNIST, note: "replacing x.h5")),
        ]
        #expect(SlurmTask.tasks(of: plan) == [
            SlurmTask(index: 0, row: "a", seed: 1, action: "start"),
            SlurmTask(index: 1, row: "a", seed: 2, action: "resume after epoch 3"),
            SlurmTask(index: 2, row: "a", seed: 4, action: "start (replacing x.h5)"),
        ])
    }

    // MARK: The task side

    @Test func aRequeuedTaskResumesWithinItsLimitAndNeverRetriesAFailedRun() throws {
        let fixture = try RunnerFixture()
        let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])]))
        var options = fixture.options(overwrite: true)
        let first = SlurmArrayTask(job: SlurmJobIdentity(jobId: 5, arrayJobId: 4, arrayTaskId: 1), maxRequeues: 2)
        #expect(first.options(for: options).overwrite && !first.options(for: options).resume)
        let again = SlurmArrayTask(job: SlurmJobIdentity(jobId: 5, arrayJobId: 4, arrayTaskId: 1, restartCount: 2),
                                   maxRequeues: 2)
        #expect(again.options(for: options).resume && !again.options(for: options).overwrite)
        options = again.options(for: options)
        let runner = fixture.runner(experiment, options)
        #expect(try again.refusal(runner) == nil)

        let over = SlurmArrayTask(job: SlurmJobIdentity(jobId: 5, arrayJobId: 4, arrayTaskId: 1, restartCount: 3),
                                  maxRequeues: 2)
        #expect(try over.refusal(runner)?.contains("requeued 3 times, more than --max-requeues 2") == true)

        var failed = syntheticRecord(table: "tiny", row: "a", status: .failed(StopPoint(epoch: 2, batch: 1, message: "loss is NaN")))
        failed.placement = RunPlacement(host: "node7", slurmJob: SlurmJobIdentity(jobId: 5, arrayJobId: 4, arrayTaskId: 1))
        try ResultStore.write(failed, to: fixture.resultPath("a"))
        #expect(try again.refusal(runner)?.contains("a seed 0 failed for its own reason in epoch 2, batch 1 (loss is NaN)") == true)
        #expect(try first.refusal(fixture.runner(experiment, fixture.options(resume: true))) == nil,
                "a first start continues a failed run when asked to")
    }

    @Test func onlyTheTimeLimitWarningRequeuesAnInterruptedTask() {
        let run = try! Experiment(text: tinyExperiment(rows: [("a", [])]), path: "tiny.yaml").runs(.quick)[0]
        let stop = StopPoint(epoch: 2, batch: 3, message: "stopped")
        func summary(_ outcome: RunReport.Outcome) -> RunnerSummary {
            RunnerSummary(table: "tiny", profile: .quick, reports: [RunReport(run: run, seed: 0, outcome: outcome)])
        }
        let task = SlurmArrayTask(job: SlurmJobIdentity(jobId: 5, arrayJobId: 4, arrayTaskId: 1, restartCount: 1),
                                  maxRequeues: 2)
        let warned = InterruptFlag(), terminated = InterruptFlag()
        warned.request(signal: SIGUSR1)
        terminated.request(signal: SIGTERM)
        #expect(warned.isTimeLimitWarning && warned.signalName == "SIGUSR1" && !terminated.isTimeLimitWarning)
        #expect(task.shouldRequeue(after: summary(.finished(.interrupted(stop))), interrupt: warned))
        #expect(task.shouldRequeue(after: summary(.notStarted), interrupt: warned))
        #expect(!task.shouldRequeue(after: summary(.finished(.interrupted(stop))), interrupt: terminated))
        #expect(!task.shouldRequeue(after: summary(.finished(.interrupted(stop))), interrupt: InterruptFlag()))
        #expect(!task.shouldRequeue(after: summary(.finished(.failed(stop))), interrupt: warned))
        #expect(!task.shouldRequeue(after: summary(.finished(.complete)), interrupt: warned))
        let last = SlurmArrayTask(job: SlurmJobIdentity(jobId: 5, arrayJobId: 4, arrayTaskId: 1, restartCount: 2),
                                  maxRequeues: 2)
        #expect(!last.shouldRequeue(after: summary(.finished(.interrupted(stop))), interrupt: warned))
        #expect(throws: SlurmTaskError.notInSlurmJob) { try SlurmArrayTask(environment: [:], maxRequeues: 1) }
    }

    // MARK: Records

    @Test func resultFilesRecordTheHostAndTheSlurmJob() throws {
        let directory = try TemporaryDirectory()
        let placements: [RunPlacement?] = [
            nil, RunPlacement(host: "laptop"),
            RunPlacement(host: "node3", slurmJob: SlurmJobIdentity(jobId: 88)),
            RunPlacement(host: "node3", slurmJob: SlurmJobIdentity(jobId: 90, arrayJobId: 80, arrayTaskId: 7, restartCount: 2)),
        ]
        for (index, placement) in placements.enumerated() {
            var record = syntheticRecord()
            record.placement = placement
            let path = directory.file("\(index).h5")
            try ResultStore.write(record, to: path)
            #expect(try ResultStore.read(path) == record)
        }
        let dump = try #require(try runTool("h5dump", ["-A", "-g", "/final", directory.file("3.h5")]))
        for name in ["host", "slurm_job_id", "slurm_array_job_id", "slurm_array_task_id", "slurm_restart_count"] {
            #expect(dump.output.contains("ATTRIBUTE \"\(name)\""), "\(name)")
        }
        #expect(RunPlacement.current.slurmJob == SlurmJobIdentity(environment: ProcessInfo.processInfo.environment))
        #expect(!RunPlacement.current.host.isEmpty)
    }

    @Test func submissionRecordsNameTheLatestTaskOfARun() throws {
        let directory = try TemporaryDirectory()
        let older = SlurmSubmissionRecord(table: "table1", experiment: "/e/table1.yaml", profile: "smoke", arrayJobId: 9,
                                          reportJobId: 10, tasks: tasks)
        let newer = SlurmSubmissionRecord(table: "table1", experiment: "/e/table1.yaml", profile: "smoke", arrayJobId: 20,
                                          reportJobId: 21, tasks: [SlurmTask(index: 0, row: "mnist-if", seed: 1, action: "start")])
        try newer.write(in: directory.path)
        try older.write(in: directory.path)
        try "{}".write(toFile: directory.file("other.json"), atomically: true, encoding: .utf8)
        let records = SlurmSubmissionRecord.all(in: directory.path)
        #expect(records == [older, newer])
        #expect(try directory.entries().contains("table1-9.json"))
        let json = try String(contentsOfFile: directory.file("table1-9.json"), encoding: .utf8)
        #expect(json.contains("\"array_job_id\" : 9") && json.contains("\"report_job_id\" : 10"))
        #expect(SlurmSubmissionRecord.latestTask(of: records, table: "table1", row: "mnist-if", seed: 1)?.record.arrayJobId == 20)
        #expect(SlurmSubmissionRecord.latestTask(of: records, table: "table1", row: "mnist-if", seed: 0)?.task.index == 0)
        #expect(SlurmSubmissionRecord.latestTask(of: records, table: "table2", row: "mnist-if", seed: 0) == nil)
    }
}
