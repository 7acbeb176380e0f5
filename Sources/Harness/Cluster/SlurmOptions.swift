/// What `fsnn run --scheduler slurm` asks of Slurm for every task of the array, and how a task
/// is treated when it stops early (docs/cluster.md).
public struct SlurmOptions: Equatable, Sendable {
    /// `--partition`; nil: the cluster's default partition.
    public var partition: String?
    /// `--time` of each task; nil: the partition's default limit.
    public var timeLimit: SlurmTimeLimit?
    /// `--cpus-per-task`; each task trains with this many threads (`fsnn run --threads`).
    public var cpusPerTask = 1
    /// `--mem` per node, as Slurm writes it (`4G`, `16000M`); nil: the partition's default.
    public var memory: String?
    /// At most this many tasks at once (`--array=0-N%K`); nil: as many as Slurm grants.
    public var maxParallel: Int?
    /// Further sbatch options, one per entry (e.g. `--account=snn`, `--qos=long`), written into
    /// the script as `#SBATCH` lines.
    public var sbatchArguments: [String] = []
    /// A task is requeued at most this many times (after its time-limit warning, a node failure or
    /// a preemption); a run that failed for its own reason is never requeued.
    public var maxRequeues = 3
    /// Seconds before the time limit at which Slurm warns the task (`--signal=B:USR1@<s>`); the run
    /// then finishes its batch, records itself interrupted and requeues. Slurm delivers the warning
    /// up to a minute early; the partial epoch is redone after the requeue.
    public var signalBefore = 300

    public init() {}

    /// Bounds of the counts; Slurm's own limits for `--signal` (65535 s).
    public static let cpuRange = 1...ComputeThreads.maximum
    public static let parallelRange = 1...100_000
    public static let requeueRange = 0...1000
    public static let signalRange = 1...65_535

    /// The options fsnn writes into every script itself; `--sbatch-arg` must not repeat them.
    public static let reservedOptions: [(long: String, short: Character?)] = [
        ("--array", "a"), ("--cpus-per-task", "c"), ("--job-name", "J"), ("--output", "o"), ("--error", "e"),
        ("--open-mode", nil), ("--signal", nil), ("--requeue", nil), ("--no-requeue", nil), ("--chdir", "D"),
        ("--dependency", "d"), ("--time", "t"), ("--partition", "p"), ("--mem", nil), ("--parsable", nil),
        ("--wrap", nil),
    ]

    /// Every problem of the options, the first one thrown.
    public func validate() throws(SlurmOptionError) {
        func check(_ option: String, _ value: Int, _ range: ClosedRange<Int>) throws(SlurmOptionError) {
            guard range.contains(value) else { throw .outOfRange(option: option, value: value, range: range) }
        }
        try check("--cpus-per-task", cpusPerTask, Self.cpuRange)
        if let maxParallel { try check("--max-parallel", maxParallel, Self.parallelRange) }
        try check("--max-requeues", maxRequeues, Self.requeueRange)
        try check("--signal-before", signalBefore, Self.signalRange)
        if let timeLimit, signalBefore >= timeLimit.seconds {
            throw .signalNotBeforeLimit(signalSeconds: signalBefore, limit: timeLimit)
        }
        if let partition {
            let allowed = partition.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.,-".contains($0)) }
            guard !partition.isEmpty, allowed else { throw .invalidPartition(partition) }
        }
        if let memory {
            let digits = memory.last.map { "KMGT".contains($0) } == true ? memory.dropLast() : Substring(memory)
            guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .invalidMemory(memory)
            }
        }
        for argument in sbatchArguments { try Self.check(sbatchArgument: argument) }
    }

    private static func check(sbatchArgument argument: String) throws(SlurmOptionError) {
        guard argument.hasPrefix("-"), argument.count > 1 else {
            throw .invalidSbatchArgument(argument, reason: "an sbatch option starts with '-' (e.g. --account=snn)")
        }
        guard !argument.contains(where: \.isNewline) else {
            throw .invalidSbatchArgument(argument, reason: "one option per --sbatch-arg, without line breaks")
        }
        let name = argument.hasPrefix("--") ? String(argument.prefix { $0 != "=" && $0 != " " }) : nil
        let short = argument.hasPrefix("--") ? nil : argument.dropFirst().first
        for reserved in reservedOptions where reserved.long == name || (short != nil && reserved.short == short) {
            throw .invalidSbatchArgument(argument, reason: "fsnn sets \(reserved.long) itself; "
                + "use fsnn's own option for it (docs/cluster.md)")
        }
    }
}
