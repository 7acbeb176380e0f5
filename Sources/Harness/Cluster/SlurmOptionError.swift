/// Options of `fsnn run --scheduler slurm` that cannot make a submission; nothing is submitted.
public enum SlurmOptionError: Error, Equatable, CustomStringConvertible {
    case invalidTimeLimit(String)
    case invalidMemory(String)
    case invalidPartition(String)
    case outOfRange(option: String, value: Int, range: ClosedRange<Int>)
    /// The warning signal would come at or before the start of the job.
    case signalNotBeforeLimit(signalSeconds: Int, limit: SlurmTimeLimit)
    /// An `--sbatch-arg` that is not a single option, or one fsnn sets itself.
    case invalidSbatchArgument(String, reason: String)
    /// An option that only applies to one scheduler was given with the other.
    case notApplicable(option: String, scheduler: Scheduler)

    public var description: String {
        switch self {
        case let .invalidTimeLimit(text):
            return "--time \(text): not a Slurm time limit; write minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S "
                + "(e.g. 02:00:00 or 1-12:00:00), above zero"
        case let .invalidMemory(text):
            return "--mem \(text): not a Slurm memory size; write a whole number with an optional unit K, M, G or T "
                + "(e.g. 4G or 16000M)"
        case let .invalidPartition(text):
            return "--partition '\(text)': a partition name (or a comma-separated list) of letters, digits, '_', '.' and '-'"
        case let .outOfRange(option, value, range):
            return "\(option) \(value): must be in \(range.lowerBound)…\(range.upperBound)"
        case let .signalNotBeforeLimit(signalSeconds, limit):
            return "--signal-before \(signalSeconds): the warning before the time limit must come after the job starts; "
                + "--time \(limit) is only \(limit.seconds) s"
        case let .invalidSbatchArgument(argument, reason):
            return "--sbatch-arg '\(argument)': \(reason)"
        case let .notApplicable(option, scheduler):
            return "\(option) does not apply to --scheduler \(scheduler.rawValue)"
        }
    }
}
