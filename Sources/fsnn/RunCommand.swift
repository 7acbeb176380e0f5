import ArgumentParser
import Harness

/// `fsnn run`: an experiment file's rows × seeds, one result file per run.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train an experiment file's rows × seeds; one result file per run under --results.",
        discussion: """
            Complete results of the same profile and settings are skipped; a complete result of another \
            profile or other settings at a run's path is refused unless --overwrite. Incomplete runs start \
            over, or continue from their checkpoints with --resume. Rows whose dataset is wholly absent are \
            listed and skipped ("data missing"); a row whose data is partly present, broken or corrupt fails, \
            naming the file. Exit status (docs/running.md): 0 when every run is complete (or its dataset \
            wholly absent), 1 when a run failed or the request was refused, 130 when interrupted (Ctrl-C stops after the current batch and records the run; a \
            second Ctrl-C stops at once). With --scheduler slurm the planned runs are submitted as one Slurm \
            job array, with a report job after it (docs/cluster.md); fsnn status follows them.
            """)

    @Argument(help: "The experiment file, e.g. experiments/table1_mnist_fmnist.yaml.")
    var file: String
    @Option var profile: Profile = .quick
    @Option(help: "Comma-separated row ids (default: all rows).")
    var rows: String?
    @Option(help: "Seeds for every selected row instead of the file's, e.g. 0-4 or 0,2.")
    var seeds: String?
    @Option(help: "Runs at a time: 1 trains here on --threads (default all cores); N ≥ 2 starts N child processes of one thread each.")
    var jobs = 1
    @Flag(help: "Continue incomplete runs from their checkpoints.")
    var resume = false
    @Flag(help: "Run every selected run from scratch, replacing existing results of any profile.")
    var overwrite = false
    @Option(help: "Root of the result files.")
    var results = "results"
    @Option(help: "Root of the checkpoints (weights and training state).")
    var runs = "runs"
    @Option(name: .customLong("data-dir"), help: "Data root (default: $FSNN_DATA, else ./data).")
    var dataDirectory: String?
    @Option(help: "OpenBLAS and worker threads (default: all cores).")
    var threads: Int?
    @Flag(help: "List the planned runs with an estimated duration from a short probe (a few iterations each) and train nothing; with --scheduler slurm, print the sbatch scripts and the task table instead of submitting.")
    var dryRun = false
    @Flag(help: "With --dry-run: probe every row with data, complete ones too, and keep what the profile's runs take here as <results>/<table>/estimate-<profile>.json, which the report sets beside the compute each row spent.")
    var saveEstimate = false
    @Flag(help: .hidden)
    var child = false
    @OptionGroup(title: "Slurm")
    var slurm: SlurmArguments

    func validate() throws {
        guard (1...ComputeThreads.maximum).contains(jobs) else {
            throw ValidationError("--jobs \(jobs): runs at a time must be in 1…\(ComputeThreads.maximum)")
        }
        guard !(resume && overwrite) else { throw ValidationError("--resume and --overwrite exclude each other") }
        guard !saveEstimate || (dryRun && slurm.scheduler == .local) else {
            throw ValidationError("--save-estimate probes the runs here: it needs --dry-run, without --scheduler slurm")
        }
        guard slurm.scheduler == .local || jobs == 1 else {
            throw ValidationError("--jobs applies to --scheduler local; a Slurm array runs its tasks in parallel (--max-parallel)")
        }
        do { _ = try slurm.options() } catch { throw ValidationError("\(error)") }
        if let rows, rowIDs(rows).contains(where: \.isEmpty) {
            throw ValidationError("--rows '\(rows)' has an empty row id; write row ids separated by commas, e.g. --rows a,b "
                + "(without --rows every row runs)")
        }
        let list: [Int]?
        do { list = try seeds.map(IndexList.parse) } catch { throw ValidationError("--seeds \(error)") }
        do {
            try CommandLineSettings.check(\.seeds, list, option: "--seeds")
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The ids of `--rows`, blanks removed; an empty id where the text has none between commas.
    private func rowIDs(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map { String($0.filter { !$0.isWhitespace }) }
    }

    func run() throws {
        let experiment = try Experiment(contentsOf: file)
        try validated { try ComputeThreads.set(threads: threads) }
        InterruptFlag.installSignalHandlers(exitOnRepeat: !child && !slurm.slurmTask, timeLimitWarning: slurm.slurmTask)
        var options = RunnerOptions(profile: profile, dataRoot: DataRoot.resolve(dataDirectory: dataDirectory))
        options.rows = rows.map(rowIDs)
        options.seeds = try seeds.map(IndexList.parse)
        options.jobs = jobs
        options.resume = resume
        options.overwrite = overwrite
        options.resultsRoot = results
        options.checkpointsRoot = runs
        options.gitRevision = Provenance.gitRevision(of: Console.currentDirectory)
        options.executable = Console.executablePath
        options.isChild = child
        if slurm.slurmTask { return try slurm.runTask(experiment, options: options) }
        let runner = ExperimentRunner(experiment: experiment, options: options)
        if slurm.scheduler == .slurm { return try slurm.submit(runner, dryRun: dryRun) }
        if dryRun {
            let estimate = try RunEstimate(runner, probingCompleteRuns: saveEstimate)
            try Console.print(estimate.text, terminator: "")
            if saveEstimate {
                let saved = ProtocolEstimate(table: experiment.file.table, profile: profile.rawValue,
                                             gitRevision: options.gitRevision, probeIterations: estimate.probeIterations,
                                             rows: estimate.rows)
                try saved.write(in: results)
                try Console.print("Estimate kept in \(ProtocolEstimate.path(in: results, table: saved.table, profile: saved.profile)).")
            }
            return
        }
        let summary = try runner.run()
        try finish(printing: child ? nil : summary.text, exitCode: summary.exitCode)
    }
}
