import ArgumentParser
import Harness

/// The options of `fsnn run --scheduler slurm` (docs/cluster.md), and what `fsnn run` does with
/// them: submit a job array, or run as one of its tasks.
struct SlurmArguments: ParsableArguments {
    @Option(help: "Where the runs train: local (here, or in --jobs child processes) or slurm (one job array, sbatch).")
    var scheduler: Scheduler = .local
    @Option(help: "Slurm partition of the tasks (default: the cluster's default).")
    var partition: String?
    @Option(help: "Time limit per task: minutes, H:M:S or D-H:M:S (default: the partition's).")
    var time: String?
    @Option(help: "CPUs per task; each run trains with as many threads.")
    var cpusPerTask = 1
    @Option(help: "Memory per task, e.g. 4G (default: the partition's).")
    var mem: String?
    @Option(help: "At most this many tasks at once (--array=0-N%K).")
    var maxParallel: Int?
    @Option(name: .customLong("sbatch-arg"), help: "A further sbatch option for every job, e.g. --account=snn (repeatable).")
    var sbatchArguments: [String] = []
    @Option(help: "Requeues per task at most: after the time-limit warning, a node failure or a preemption.")
    var maxRequeues = 3
    @Option(help: "Seconds before the time limit at which a task records its run interrupted and requeues itself.")
    var signalBefore = 300
    @Flag(help: .hidden)
    var slurmTask = false

    /// The Slurm options as Harness takes them; throws when one is invalid or given without
    /// `--scheduler slurm`.
    func options() throws -> SlurmOptions {
        var options = SlurmOptions()
        options.partition = partition
        options.timeLimit = try time.map { try SlurmTimeLimit($0) }
        options.cpusPerTask = cpusPerTask
        options.memory = mem
        options.maxParallel = maxParallel
        options.sbatchArguments = sbatchArguments
        options.maxRequeues = maxRequeues
        options.signalBefore = signalBefore
        if scheduler == .local, !slurmTask {
            let given: [(String, Bool)] = [
                ("--partition", partition != nil), ("--time", time != nil), ("--cpus-per-task", cpusPerTask != 1),
                ("--mem", mem != nil), ("--max-parallel", maxParallel != nil), ("--sbatch-arg", !sbatchArguments.isEmpty),
                ("--max-requeues", maxRequeues != 3), ("--signal-before", signalBefore != 300),
            ]
            if let option = given.first(where: \.1)?.0 { throw SlurmOptionError.notApplicable(option: option, scheduler: .local) }
        }
        try options.validate()
        return options
    }

    /// Plans the request and submits it as a job array (or, with `dryRun`, prints the scripts
    /// and the task table).
    func submit(_ runner: ExperimentRunner, dryRun: Bool) throws {
        let sweep = try SlurmSweep(runner: runner, options: try options(), executable: Console.executablePath,
                                   workingDirectory: Console.currentDirectory)
        if dryRun {
            try Console.print(sweep.dryRunText)
            return
        }
        guard let record = try sweep.submit() else {
            try Console.print(sweep.dryRunText)
            return
        }
        let context = sweep.context
        try Console.print("submitted \(context.table): array job \(record.arrayJobId) with \(record.tasks.count) tasks"
            + (sweep.options.maxParallel.map { " (at most \($0) at once)" } ?? "")
            + ", report job \(record.reportJobId) after it; scripts and task output in \(context.directory)")
        for line in sweep.notSubmitted { try Console.print("  not submitted: \(line)") }
        try Console.print("follow it with: fsnn status \(runner.options.resultsRoot) --runs \(runner.options.checkpointsRoot) "
            + "--experiment \(runner.experiment.path) --profile \(context.profile.rawValue) --watch")
    }

    /// Runs the request as the array task this process is (`--slurm-task`).
    func runTask(_ experiment: Experiment, options: RunnerOptions) throws {
        let task = try SlurmArrayTask(maxRequeues: maxRequeues)
        let (summary, note, exitCode) = try task.run(experiment, options: options)
        if let note { Console.log(note) }
        try finish(printing: summary?.text, exitCode: exitCode)
    }
}
