/// One task of a submitted job array: a planned run (row × seed) that trains.
public struct SlurmTask: Codable, Equatable, Sendable {
    /// The array index, `SLURM_ARRAY_TASK_ID`.
    public var index: Int
    public var row: String
    public var seed: Int
    /// What the first start of the task does: "start", "start (replacing …)" or "resume after epoch k".
    public var action: String

    public init(index: Int, row: String, seed: Int, action: String) {
        self.index = index
        self.row = row
        self.seed = seed
        self.action = action
    }

    /// The runs of `plan` that train, numbered from 0 in plan order (rows in file order, then
    /// seeds); complete runs, runs without data and other files' runs (`same_run_as`) are not tasks.
    public static func tasks(of plan: [PlannedRun]) -> [SlurmTask] {
        var tasks: [SlurmTask] = []
        for planned in plan {
            let action: String
            switch planned.action {
            case let .start(_, note): action = note.map { "start (\($0))" } ?? "start"
            case let .resume(_, afterEpoch): action = "resume after epoch \(afterEpoch)"
            case .skip, .missingData, .sameRun: continue
            }
            tasks.append(SlurmTask(index: tasks.count, row: planned.run.row, seed: planned.seed, action: action))
        }
        return tasks
    }

    /// The task table as `fsnn run --dry-run` prints it: one line per task, aligned columns.
    public static func table(_ tasks: [SlurmTask]) -> String {
        let rowWidth = max(3, tasks.map(\.row.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        var lines = ["\(pad("task", 6))\(pad("row", rowWidth + 2))\(pad("seed", 6))first start"]
        for task in tasks {
            lines.append("\(pad("\(task.index)", 6))\(pad(task.row, rowWidth + 2))\(pad("\(task.seed)", 6))\(task.action)")
        }
        return lines.joined(separator: "\n")
    }
}
