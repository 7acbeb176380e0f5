/// Why the runner cannot carry out a request; nothing is trained when planning fails.
public enum RunnerError: Error, Equatable, CustomStringConvertible {
    /// `--rows` names rows the experiment file does not have.
    case unknownRows([String], file: String, known: [String])
    /// Existing result or checkpoint files that the request would silently overwrite, count or
    /// continue from although they belong to another run; one line per file.
    case conflicts([String])
    /// The checkpoint belongs to a run with other settings.
    case checkpointMismatch(checkpoint: String, differences: [String])
    /// The checkpoint and the result file beside it cannot be continued together.
    case cannotResume(checkpoint: String, reason: String)
    /// A data file differs from (or is not) the one the result file recorded when the run
    /// started: `recorded` and `current` are `md5:<hex>` digests, "none" for a file on one side only.
    case dataChanged(result: String, file: String, recorded: String, current: String)
    /// Another process holds the run's lock (`holder`: its pid, host and start, as it wrote them).
    case locked(result: String, lock: String, holder: String)
    /// `--results` or `--runs` cannot take the run's files (checked before any training).
    case unwritable(option: String, root: String, reason: String)
    /// `--jobs` above 1 needs the fsnn executable to start child processes.
    case noExecutableForJobs
    /// The file has no such (optional) profile.
    case undefinedProfile(String, file: String)

    public var description: String {
        switch self {
        case let .unknownRows(rows, file, known):
            return "\(file) has no row \(rows.map { "'\($0)'" }.joined(separator: ", ")); its rows are: "
                + known.joined(separator: ", ")
        case let .conflicts(lines):
            return "nothing was run; existing files conflict with this request:\n"
                + lines.map { "  - \($0)" }.joined(separator: "\n")
        case let .checkpointMismatch(checkpoint, differences):
            return "\(checkpoint) belongs to a run with other settings and cannot be resumed with these:\n"
                + differences.map { "      \($0)" }.joined(separator: "\n")
                + "\n    run without --resume to start over, or restore the settings it was made with"
        case let .cannotResume(checkpoint, reason):
            return "cannot resume from \(checkpoint): \(reason)"
        case let .dataChanged(result, file, recorded, current):
            return "cannot resume: the data changed since the run started: \(file) is \(current) now, but \(result) "
                + "recorded \(recorded); restore that data, or run without --resume to start over on this data"
        case let .locked(result, lock, holder):
            return "\(result) is being written by another fsnn process (\(holder.isEmpty ? "holder not yet recorded" : holder), "
                + "lock \(lock)); nothing was run: wait for it to end, or use other --results"
        case let .unwritable(option, root, reason):
            return "\(option) \(root) cannot take this run's files (checked before training): \(reason)"
        case .noExecutableForJobs:
            return "--jobs above 1 runs child processes of the fsnn executable, which was not given"
        case let .undefinedProfile(profile, file):
            return "\(file) defines no '\(profile)' profile; add `profiles: {\(profile): …}` to it or choose another --profile"
        }
    }
}
