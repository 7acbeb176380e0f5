import Foundation

/// Readers of the machine-readable output of Slurm's commands, and the requests that produce it.
public enum SlurmOutput {
    /// squeue's format: one job or array task per line (with `--array`), fields separated by `|`.
    public static let squeueFormat = "%i|%A|%F|%K|%T|%r|%N"

    /// The job id `sbatch --parsable` prints: `<id>` or `<id>;<cluster>`.
    public static func jobId(fromSbatch output: String) -> Int? {
        let line = output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        let id = line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard let value = Int(id.trimmingCharacters(in: .whitespaces)), value > 0 else { return nil }
        return value
    }

    /// The jobs of `squeue --noheader --array --format=<squeueFormat>`; throws on the first line
    /// that is not such a record, with its number.
    public static func jobs(fromSqueue output: String) throws(SlurmOutputError) -> [SlurmJobState] {
        var jobs: [SlurmJobState] = []
        for (index, line) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            let fields = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            func fail(_ reason: String) -> SlurmOutputError { SlurmOutputError(line: index + 1, text: text, reason: reason) }
            guard fields.count == 7 else { throw fail("\(fields.count) fields, expected 7 (\(squeueFormat))") }
            guard !fields[0].isEmpty, let jobId = Int(fields[1]) else { throw fail("no job id") }
            guard !fields[4].isEmpty, fields[4].allSatisfy({ $0.isUppercase || $0 == "_" }) else {
                throw fail("no job state")
            }
            var job = SlurmJobState(id: fields[0], jobId: jobId, state: fields[4], reason: fields[5], nodes: fields[6])
            if let task = Int(fields[3]) {
                guard let array = Int(fields[2]) else { throw fail("an array task without its array job id") }
                (job.arrayJobId, job.arrayTaskId) = (array, task)
            } else if fields[3] != "N/A" {
                throw fail("array task id '\(fields[3])' is neither a number nor N/A")
            }
            jobs.append(job)
        }
        return jobs
    }
}

/// A line of Slurm's output that is not what fsnn asked for.
public struct SlurmOutputError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let text: String
    public let reason: String

    public var description: String { "line \(line) '\(text)': \(reason)" }
}
