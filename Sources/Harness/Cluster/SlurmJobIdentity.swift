/// The Slurm job a process runs in, from the variables Slurm sets in a batch job's environment.
public struct SlurmJobIdentity: Equatable, Sendable {
    /// `SLURM_JOB_ID`: unique for every task of an array.
    public var jobId: Int
    /// `SLURM_ARRAY_JOB_ID` and `SLURM_ARRAY_TASK_ID`, for a task of a job array.
    public var arrayJobId: Int?
    public var arrayTaskId: Int?
    /// `SLURM_RESTART_COUNT`: how often the job was requeued before this start (0 at first).
    public var restartCount: Int

    public init(jobId: Int, arrayJobId: Int? = nil, arrayTaskId: Int? = nil, restartCount: Int = 0) {
        self.jobId = jobId
        self.arrayJobId = arrayJobId
        self.arrayTaskId = arrayTaskId
        self.restartCount = restartCount
    }

    /// The job of a process with `environment`; nil outside a Slurm job.
    public init?(environment: [String: String]) {
        func number(_ name: String) -> Int? { environment[name].flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil } }
        guard let jobId = number("SLURM_JOB_ID") else { return nil }
        self.jobId = jobId
        arrayJobId = number("SLURM_ARRAY_JOB_ID")
        arrayTaskId = arrayJobId == nil ? nil : number("SLURM_ARRAY_TASK_ID")
        restartCount = number("SLURM_RESTART_COUNT") ?? 0
    }

    /// The id squeue, scontrol and scancel take and print: `<array job>_<task>` for an array
    /// task, else the job id.
    public var schedulerId: String {
        guard let arrayJobId, let arrayTaskId else { return "\(jobId)" }
        return "\(arrayJobId)_\(arrayTaskId)"
    }
}
