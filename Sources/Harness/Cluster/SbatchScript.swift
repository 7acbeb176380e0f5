/// The two batch scripts of a submission (docs/cluster.md shows both): the job array, one task
/// per planned run, and the report job that runs after every task has ended.
///
/// Every path in them is absolute, because the tasks run on other machines: the fsnn executable,
/// the experiment file, the results, checkpoints and data must be on a filesystem that every
/// node mounts at the same place.
public struct SbatchScript: Equatable, Sendable {
    /// Where and on what the tasks run; all paths absolute.
    public struct Context: Equatable, Sendable {
        public var executable: String
        public var experimentPath: String
        public var table: String
        public var profile: Profile
        public var resultsRoot: String
        public var checkpointsRoot: String
        public var dataRoot: String
        /// The directory tasks start in (`--chdir`).
        public var workingDirectory: String
        /// The run flag of the request, given to each task's first start: `--resume`,
        /// `--overwrite` or none. A requeued task always resumes.
        public var resume = false
        public var overwrite = false
        public var fsnnVersion = FSNNVersion.current

        public init(executable: String, experimentPath: String, table: String, profile: Profile, resultsRoot: String,
                    checkpointsRoot: String, dataRoot: String, workingDirectory: String) {
            self.executable = executable
            self.experimentPath = experimentPath
            self.table = table
            self.profile = profile
            self.resultsRoot = resultsRoot
            self.checkpointsRoot = checkpointsRoot
            self.dataRoot = dataRoot
            self.workingDirectory = workingDirectory
        }

        /// `<runs>/slurm`: scripts, submission records and task output.
        public var directory: String { "\(checkpointsRoot)/slurm" }
        public var arrayScriptPath: String { "\(directory)/\(table).sbatch" }
        public var reportScriptPath: String { "\(directory)/\(table).report.sbatch" }
        /// The directory of experiment files the report reads (that of the submitted file).
        public var experimentsDirectory: String {
            let parts = experimentPath.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            let directory = parts.joined(separator: "/")
            return directory.isEmpty ? "/" : directory
        }
    }

    public var path: String
    public var text: String

    /// The array script: task `i` trains `tasks[i]` with `--threads` = its CPUs into the shared
    /// results and checkpoints. It `exec`s fsnn, so Slurm's signals reach the run itself: USR1
    /// (`--signal-before` seconds before the time limit) makes the run record itself interrupted
    /// and requeue the task; TERM (scancel, `scontrol requeue`, preemption) makes it record itself
    /// interrupted and leaves the rest to Slurm.
    public static func array(_ tasks: [SlurmTask], options: SlurmOptions, context: Context) -> SbatchScript {
        precondition(!tasks.isEmpty, "an array needs a task")
        let throttle = options.maxParallel.map { "%\($0)" } ?? ""
        var lines = [
            "#!/bin/bash",
            "# \(context.table) at profile \(context.profile.rawValue): one task per planned run of",
            "# \(context.experimentPath), written by fsnn \(context.fsnnVersion) (`fsnn run --scheduler slurm`).",
            "# Task i trains runs[i] below. On Slurm's warning before the time limit (USR1) the run records",
            "# itself interrupted and the task requeues itself, at most \(options.maxRequeues) times in all; a requeued task",
            "# continues its run from the checkpoint. A run that fails for its own reason is not requeued.",
            "#SBATCH --job-name=fsnn-\(context.table)",
            "#SBATCH --array=0-\(tasks.count - 1)\(throttle)",
        ]
        lines += resourceLines(options, cpus: options.cpusPerTask)
        lines += [
            "#SBATCH --requeue",
            "#SBATCH --signal=B:USR1@\(options.signalBefore)",
            "#SBATCH --open-mode=append",
            "#SBATCH --output=\(context.directory)/\(context.table)-%A_%a.out",
            "#SBATCH --chdir=\(context.workingDirectory)",
        ]
        lines += options.sbatchArguments.map { "#SBATCH \($0)" }
        lines += ["", "# task: row seed", "runs=("]
        let entries = tasks.map { "'\($0.row) \($0.seed)'" }
        let width = entries.map(\.count).max() ?? 0
        lines += zip(entries, tasks).map { entry, task in
            "  \(entry)\(String(repeating: " ", count: width - entry.count))  # \(task.index)"
        }
        lines += [
            ")",
            "read -r row seed <<< \"${runs[${SLURM_ARRAY_TASK_ID:?not a Slurm array task}]}\"",
            "",
            "exec \(quoted(context.executable)) run \(quoted(context.experimentPath)) --profile \(context.profile.rawValue) \\",
            "    --rows \"$row\" --seeds \"$seed\" --threads \"${SLURM_CPUS_PER_TASK:-\(options.cpusPerTask)}\" \\",
            "    --results \(quoted(context.resultsRoot)) --runs \(quoted(context.checkpointsRoot)) \\",
            "    --data-dir \(quoted(context.dataRoot)) --slurm-task --max-requeues \(options.maxRequeues)"
                + (context.overwrite ? " --overwrite" : context.resume ? " --resume" : ""),
        ]
        return SbatchScript(path: context.arrayScriptPath, text: lines.joined(separator: "\n") + "\n")
    }

    /// The report script, submitted with `--dependency=afterany:<array>`: `fsnn report` over the
    /// shared results once every task has ended, however it ended.
    public static func report(options: SlurmOptions, context: Context) -> SbatchScript {
        var lines = [
            "#!/bin/bash",
            "# Regenerates \(context.resultsRoot)/REPORT.md after the array of \(context.table) has ended",
            "# (submitted with --dependency=afterany:<array job>), written by fsnn \(context.fsnnVersion).",
            "#SBATCH --job-name=fsnn-\(context.table)-report",
        ]
        lines += resourceLines(options, cpus: 1)
        lines += [
            "#SBATCH --output=\(context.directory)/\(context.table)-report-%j.out",
            "#SBATCH --chdir=\(context.workingDirectory)",
        ]
        lines += options.sbatchArguments.map { "#SBATCH \($0)" }
        lines += ["", "exec \(quoted(context.executable)) report \(quoted(context.resultsRoot)) "
            + "--experiments \(quoted(context.experimentsDirectory))"]
        return SbatchScript(path: context.reportScriptPath, text: lines.joined(separator: "\n") + "\n")
    }

    private static func resourceLines(_ options: SlurmOptions, cpus: Int) -> [String] {
        var lines = ["#SBATCH --cpus-per-task=\(cpus)"]
        if let partition = options.partition { lines.append("#SBATCH --partition=\(partition)") }
        if let limit = options.timeLimit { lines.append("#SBATCH --time=\(limit)") }
        if let memory = options.memory { lines.append("#SBATCH --mem=\(memory)") }
        return lines
    }

    /// `text` as one shell word: in single quotes, a quote inside written `'\''`.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
