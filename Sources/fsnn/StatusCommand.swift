import ArgumentParser
import Harness

/// `fsnn status [results]`: where every run stands, from its result file and the scheduler.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per row × seed: complete, running (epoch i/n), interrupted, failed (why), data missing or not started, with the Slurm job's state.",
        discussion: """
            Without --experiment: every result file under RESULTS and every run of the Slurm submissions \
            recorded under --runs. With --experiment: that file's rows at --profile, with the seeds of its \
            result files and submissions. A run's Slurm job is the task of its latest submission (or the \
            job its result file records); squeue gives the job's state. --watch refreshes until no job is \
            queued or running and no run is training.
            """)

    @Argument(help: "The results directory.")
    var results = "results"
    @Option(help: "The checkpoints directory, whose slurm/ folder holds the submissions.")
    var runs = "runs"
    @Option(help: "Show this experiment file's rows × seeds, including runs not started.")
    var experiment: String?
    @Option(help: "The profile of --experiment.")
    var profile: Profile = .quick
    @Option(name: .customLong("data-dir"), help: "Data root, to tell runs whose data is missing (default: $FSNN_DATA, else ./data).")
    var dataDirectory: String?
    @Flag(help: "Refresh every --interval seconds until nothing is queued, running or training.")
    var watch = false
    @Option(help: "Seconds between refreshes of --watch.")
    var interval = 10

    func validate() throws {
        guard (1...3600).contains(interval) else { throw ValidationError("--interval \(interval): must be in 1…3600 seconds") }
    }

    func run() throws {
        let scope = SweepStatus.Scope(resultsRoot: results, runsRoot: runs,
                                      experiment: try experiment.map { try Experiment(contentsOf: $0) }, profile: profile,
                                      dataRoot: DataRoot.resolve(dataDirectory: dataDirectory))
        if watch { return try SweepStatus.watch(scope, every: interval) }
        try Console.print(SweepStatus.gather(scope).text)
    }
}
