import Foundation

/// What a submission sent to Slurm, kept as `<runs>/slurm/<table>-<array job>.json` so that
/// `fsnn status` can name the job of a run that has not started yet.
public struct SlurmSubmissionRecord: Codable, Equatable, Sendable {
    public var table: String
    public var experiment: String
    public var profile: String
    public var arrayJobId: Int
    public var reportJobId: Int
    /// ISO 8601, UTC.
    public var submitted: String
    public var tasks: [SlurmTask]

    public init(table: String, experiment: String, profile: String, arrayJobId: Int, reportJobId: Int,
                submitted: Date = Date(), tasks: [SlurmTask]) {
        self.table = table
        self.experiment = experiment
        self.profile = profile
        self.arrayJobId = arrayJobId
        self.reportJobId = reportJobId
        self.submitted = ISO8601DateFormatter().string(from: submitted)
        self.tasks = tasks
    }

    private enum CodingKeys: String, CodingKey {
        case table, experiment, profile, tasks, submitted
        case arrayJobId = "array_job_id", reportJobId = "report_job_id"
    }

    public func path(in directory: String) -> String { "\(directory)/\(table)-\(arrayJobId).json" }

    public func write(in directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try OutputFile.write(String(decoding: try encoder.encode(self), as: UTF8.self), to: path(in: directory))
    }

    /// Every record in `directory` (`<runs>/slurm`), oldest submission first; files that are
    /// not such records are left out, and so are entries that are not regular files (unopened).
    public static func all(in directory: String) -> [SlurmSubmissionRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }
            .compactMap { name in
                let path = "\(directory)/\(name)"
                guard (try? OutputFile.checkReadable(path)) != nil else { return nil }
                return (try? Data(contentsOf: URL(fileURLWithPath: path)))
                    .flatMap { try? JSONDecoder().decode(SlurmSubmissionRecord.self, from: $0) }
            }
            .sorted { $0.arrayJobId < $1.arrayJobId }
    }

    /// The task of `row` × `seed` of `table` in the latest record that has one.
    public static func latestTask(of records: [SlurmSubmissionRecord], table: String, row: String, seed: Int)
        -> (record: SlurmSubmissionRecord, task: SlurmTask)? {
        for record in records.reversed() where record.table == table {
            if let task = record.tasks.first(where: { $0.row == row && $0.seed == seed }) { return (record, task) }
        }
        return nil
    }
}
