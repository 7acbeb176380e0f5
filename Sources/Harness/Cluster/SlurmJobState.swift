/// One job or array task as squeue lists it (`SlurmOutput.squeueFormat`).
public struct SlurmJobState: Equatable, Sendable {
    /// `%i`: `<array job>_<task>` for an array task, else the job id.
    public var id: String
    /// `%A`: the job's own id (unique for every array task).
    public var jobId: Int
    /// `%F` and `%K` for an array task; nil for a plain job (and for an array's record of
    /// tasks that were never started, as squeue lists a cancelled pending array).
    public var arrayJobId: Int?
    public var arrayTaskId: Int?
    /// `%T`: PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL,
    /// PREEMPTED, REQUEUED, OUT_OF_MEMORY, …
    public var state: String
    /// `%r`: why it waits or ended (`None`, `JobArrayTaskLimit`, `Dependency`, …).
    public var reason: String
    /// `%N`: the nodes it runs or ran on (empty while pending).
    public var nodes: String

    public init(id: String, jobId: Int, arrayJobId: Int? = nil, arrayTaskId: Int? = nil, state: String,
                reason: String = "None", nodes: String = "") {
        self.id = id
        self.jobId = jobId
        self.arrayJobId = arrayJobId
        self.arrayTaskId = arrayTaskId
        self.state = state
        self.reason = reason
        self.nodes = nodes
    }

    /// Still to run or running: it may yet write to its run's files.
    public var isLive: Bool { Self.liveStates.contains(state) }

    static let liveStates: Set<String> = [
        "PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING",
        "SUSPENDED", "SIGNALING", "STAGE_OUT", "RESV_DEL_HOLD", "STOPPED",
    ]

    /// `RUNNING on node1`, `PENDING (JobArrayTaskLimit)`, `COMPLETED`.
    public var summary: String {
        if state == "RUNNING" || state == "COMPLETING", !nodes.isEmpty { return "\(state) on \(nodes)" }
        if state == "PENDING", reason != "None" { return "\(state) (\(reason))" }
        return state
    }
}

extension [SlurmJobState] {
    /// The entry of array task `task` of array `arrayJob` (or of the array's record of tasks
    /// never started), or of plain job `arrayJob` when `task` is nil.
    public func job(array arrayJob: Int, task: Int?) -> SlurmJobState? {
        if let task {
            return first { $0.arrayJobId == arrayJob && $0.arrayTaskId == task }
                ?? first { $0.jobId == arrayJob && $0.arrayTaskId == nil }
        }
        return first { $0.jobId == arrayJob }
    }
}
