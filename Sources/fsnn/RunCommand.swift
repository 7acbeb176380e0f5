import ArgumentParser
import Datasets
import Foundation
import Harness
import Tensor

/// `fsnn run`: an experiment file's rows × seeds, one result file per run.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train an experiment file's rows × seeds; one result file per run under --results.",
        discussion: """
            Complete results of the same profile and settings are skipped; a complete result of another \
            profile or other settings at a run's path is refused unless --overwrite. Incomplete runs start \
            over, or continue from their checkpoints with --resume. Rows whose data is missing are listed \
            and skipped. Exit status: 0 when every run is complete (or its data missing), 1 when a run \
            failed, 130 when interrupted (Ctrl-C stops after the current batch and records the run; a \
            second Ctrl-C stops at once).
            """)

    @Argument(help: "The experiment file, e.g. experiments/table1_mnist_fmnist.yaml.")
    var file: String
    @Option(help: "paper, quick or smoke.")
    var profile = "quick"
    @Option(help: "Comma-separated row ids (default: all rows).")
    var rows: String?
    @Option(help: "Seeds for every selected row instead of the file's, e.g. 0-4 or 0,2.")
    var seeds: String?
    @Option(help: "Runs at a time, each in its own process with one thread.")
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
    @Flag(help: .hidden)
    var child = false

    func validate() throws {
        guard Profile(rawValue: profile) != nil else {
            throw ValidationError("unknown profile '\(profile)'; use \(Profile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be ≥ 1") }
        guard threads.map({ $0 >= 1 }) ?? true else { throw ValidationError("--threads must be ≥ 1") }
        guard !(resume && overwrite) else { throw ValidationError("--resume and --overwrite exclude each other") }
        if let seeds { _ = try IndexList.parse(seeds) }
    }

    func run() throws {
        let experiment = try Experiment(contentsOf: file)
        if let threads {
            BLAS.threadCount = threads
            Parallel.workerCount = threads
        }
        InterruptFlag.installSignalHandlers(exitOnRepeat: !child)
        var options = RunnerOptions(profile: Profile(rawValue: profile)!, dataRoot: DataRoot.resolve(dataDirectory: dataDirectory))
        options.rows = rows.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        options.seeds = try seeds.map(IndexList.parse)
        options.jobs = jobs
        options.resume = resume
        options.overwrite = overwrite
        options.resultsRoot = results
        options.checkpointsRoot = runs
        options.gitRevision = Provenance.gitRevision(of: FileManager.default.currentDirectoryPath)
        options.executable = Self.executablePath
        options.isChild = child
        let summary = try ExperimentRunner(experiment: experiment, options: options).run()
        if !child { print(summary.text) }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }

    /// This executable, for child processes.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
