import Foundation

/// `fsnn status`: per row × seed, the progress its result file records and, where a Slurm job
/// holds or held the run, that job's state as squeue reports it.
///
/// The runs shown are those of an experiment file at a profile (with the seeds of result files
/// and submissions beside them), or, without a file, every result file under the results root
/// and every run of the submissions recorded under the runs root; a row whose runs at the profile
/// are another file's row's (`same_run_as`) shows that row's. A run's job is the task of
/// the latest submission that lists it, or the job recorded in its result file when that is newer.
public struct SweepStatus: Sendable {
    public struct Entry: Sendable {
        public var table: String
        public var row: String
        public var seed: Int
        public var progress: RunProgress
        /// The host and job of the process that last wrote the result file.
        public var placement: RunPlacement?
        /// The array job (or plain job) and task that hold the run.
        public var job: (id: Int, task: Int?)?
        /// The scheduler's state of `job`, when squeue still lists it.
        public var scheduler: SlurmJobState?

        /// `12_3`, or `12`.
        public var jobName: String? { job.map { id, task in task.map { "\(id)_\($0)" } ?? "\(id)" } }
    }

    public var entries: [Entry]
    /// The report jobs of the latest submission of each table shown, with their states.
    public var reportJobs: [(table: String, id: Int, state: SlurmJobState?)]
    /// Why the scheduler's states are missing (squeue failed or is not installed).
    public var schedulerProblem: String?

    /// What to look at: `resultsRoot` always, `runsRoot/slurm` for submissions, `experiment`
    /// at `profile` (with `dataRoot` for missing data) when given; `client` asks Slurm about jobs.
    public struct Scope {
        public var resultsRoot: String
        public var runsRoot: String
        public var experiment: Experiment?
        public var profile: Profile
        public var dataRoot: DataRoot

        public init(resultsRoot: String, runsRoot: String, experiment: Experiment?, profile: Profile, dataRoot: DataRoot) {
            self.resultsRoot = resultsRoot
            self.runsRoot = runsRoot
            self.experiment = experiment
            self.profile = profile
            self.dataRoot = dataRoot
        }
    }

    public static func gather(_ scope: Scope, client: SlurmClient? = SlurmClient()) -> SweepStatus {
        let submissions = SlurmSubmissionRecord.all(in: "\(scope.runsRoot)/slurm")
            .filter { scope.experiment == nil || $0.table == scope.experiment?.file.table }
        var keys: [(table: String, row: String, seed: Int)] = []
        var runsByKey: [String: ExperimentRun] = [:]
        func add(_ table: String, _ row: String, _ seed: Int) {
            if !keys.contains(where: { $0 == (table, row, seed) }) { keys.append((table, row, seed)) }
        }
        let files = ResultStore.resultFiles(in: scope.resultsRoot).compactMap(Self.key(ofResultFile:))
        if let experiment = scope.experiment {
            for run in experiment.runs(scope.profile) {
                // A row that is another file's row's run at this profile shows that row's files.
                if let same = run.sameRunAs {
                    runsByKey["\(same)"] = run
                    for seed in run.seeds { add(same.table, same.row, seed) }
                    continue
                }
                runsByKey["\(run.table)/\(run.row)"] = run
                var seeds = run.seeds
                seeds += files.filter { $0.table == run.table && $0.row == run.row }.map(\.seed)
                seeds += submissions.flatMap(\.tasks).filter { $0.row == run.row }.map(\.seed)
                for seed in Set(seeds).sorted() { add(run.table, run.row, seed) }
            }
        } else {
            for file in files { add(file.table, file.row, file.seed) }
            for record in submissions {
                for task in record.tasks { add(record.table, task.row, task.seed) }
            }
        }

        var entries = keys.map { key in
            entry(key, run: runsByKey["\(key.table)/\(key.row)"], scope: scope, submissions: submissions)
        }
        var reportJobs: [(table: String, id: Int, state: SlurmJobState?)] = []
        for table in Set(entries.map(\.table)).sorted() {
            if let latest = submissions.last(where: { $0.table == table }) { reportJobs.append((table, latest.reportJobId, nil)) }
        }
        var problem: String?
        if let client, entries.contains(where: { $0.job != nil }) || !reportJobs.isEmpty {
            do {
                let jobs = try client.jobs()
                for index in entries.indices {
                    if let job = entries[index].job { entries[index].scheduler = jobs.job(array: job.id, task: job.task) }
                }
                for index in reportJobs.indices { reportJobs[index].state = jobs.job(array: reportJobs[index].id, task: nil) }
            } catch {
                problem = "\(error)"
            }
        }
        return SweepStatus(entries: entries, reportJobs: reportJobs, schedulerProblem: problem)
    }

    private static func entry(_ key: (table: String, row: String, seed: Int), run: ExperimentRun?, scope: Scope,
                              submissions: [SlurmSubmissionRecord]) -> Entry {
        let path = ResultStore.resultPath(in: scope.resultsRoot, table: key.table, row: key.row, seed: key.seed)
        var entry = Entry(table: key.table, row: key.row, seed: key.seed, progress: .notStarted)
        if OutputFile.exists(path) {
            do {
                let record = try ResultStore.read(path)
                entry.progress = RunProgress(record, lockHolder: RunLock.Holder.read(forResult: path))
                entry.placement = record.placement
                if let run, record.profile != run.profile {
                    entry.progress = .otherProfile(found: record.profile, progress: entry.progress.description)
                }
            } catch {
                entry.progress = .unreadable("\(error)")
            }
        } else if let run, case let .missing(summary, _) = DataAvailability.of(run, in: scope.dataRoot) {
            entry.progress = .missingData(summary)
        }
        let submitted = SlurmSubmissionRecord.latestTask(of: submissions, table: key.table, row: key.row, seed: key.seed)
            .map { (id: $0.record.arrayJobId, task: Optional($0.task.index)) }
        let recorded = entry.placement?.slurmJob.map { job in (id: job.arrayJobId ?? job.jobId, task: job.arrayTaskId) }
        if let recorded, recorded.id >= submitted?.id ?? 0 { entry.job = recorded } else { entry.job = submitted }
        return entry
    }

    /// `(table, row, seed)` of `<root>/<table>/<row>/seed-<k>.h5`.
    private static func key(ofResultFile path: String) -> (table: String, row: String, seed: Int)? {
        let parts = path.split(separator: "/").suffix(3).map(String.init)
        guard parts.count == 3, let seed = ResultStore.seed(ofResultFile: parts[2]) else { return nil }
        return (parts[0], parts[1], seed)
    }

    /// Nothing will change any more by itself: no job of a run or report is queued or running,
    /// and no run is being trained outside a known job.
    public var isSettled: Bool {
        if reportJobs.contains(where: { $0.state?.isLive == true }) { return false }
        return !entries.contains { entry in
            if entry.scheduler?.isLive == true { return true }
            if case .running = entry.progress { return entry.scheduler == nil }
            return false
        }
    }
}
