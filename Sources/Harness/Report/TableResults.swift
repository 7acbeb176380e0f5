import Datasets
import Foundation

/// The result files of one experiment file (`results/<table>/<row>/seed-<k>.h5`), read and
/// indexed by row; files that cannot be read or do not belong to a row are kept for listing.
/// A row whose runs at a profile are another file's row's (`same_run_as`) reads that row's files
/// of the profile (`records(_:_:)`); they stay that file's for counting files and compute.
struct TableResults {
    let experiment: Experiment
    /// The table's own records by row id, ordered by profile then seed.
    private(set) var records: [String: [RunRecord]] = [:]
    /// The records a row reads from another file's row at the profiles it names (`same_run_as`),
    /// by row id, ordered by profile then seed.
    private(set) var sameRunRecords: [String: [RunRecord]] = [:]
    /// The released reference code's runs of a row on the same data
    /// (`<row>/reference/seed-<k>.h5`, tools/reference/run_table1.py), by row id, ordered by seed.
    private(set) var referenceRecords: [String: [RunRecord]] = [:]
    /// What each profile's runs take on the machine that probed them
    /// (`<table>/estimate-<profile>.json`, `fsnn run --dry-run --save-estimate`), in profile order.
    private(set) var estimates: [ProtocolEstimate] = []
    /// Files (relative to the results root) that could not be read, or hold another table's or row's run.
    private(set) var unreadable: [(path: String, reason: String)] = []
    /// Result directories whose name is no row of the file.
    private(set) var strayRows: [String] = []
    /// Rows whose data is not under the data root (when one was given), by row id: a summary and
    /// how to obtain the data.
    private(set) var missingData: [String: (summary: String, remedy: String)] = [:]

    init(experiment: Experiment, resultsRoot: String, dataRoot: DataRoot? = nil) {
        self.experiment = experiment
        if let dataRoot {
            for run in experiment.runs(.paper) {
                if case let .missing(summary, _) = DataAvailability.of(run, in: dataRoot) {
                    missingData[run.row] = (summary, run.dataset.howToObtain.replacingOccurrences(of: "<data root>", with: dataRoot.path))
                }
            }
        }
        let table = experiment.file.table
        let rowIDs = Set(experiment.file.rows.map(\.id))
        let files = ResultStore.resultFiles(in: resultsRoot)
        for path in files where path.hasPrefix("\(resultsRoot)/\(table)/") {
            let row = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
            let shown = Self.relative(path, to: resultsRoot)
            guard rowIDs.contains(row) else {
                if !strayRows.contains(row) { strayRows.append(row) }
                continue
            }
            do {
                let record = try Self.read(path)
                guard record.table == table, record.row == row else {
                    unreadable.append((shown, "holds row '\(record.row)' of table '\(record.table)'"))
                    continue
                }
                records[row, default: []].append(record)
            } catch {
                unreadable.append((shown, "\(error)"))
            }
        }
        for path in ResultStore.referenceResultFiles(in: resultsRoot) where path.hasPrefix("\(resultsRoot)/\(table)/") {
            let shown = Self.relative(path, to: resultsRoot)
            do {
                let record = try ResultStore.read(path)
                guard record.table == table, rowIDs.contains(record.row), record.implementation != nil else {
                    unreadable.append((shown, "holds row '\(record.row)' of table '\(record.table)' without an implementation"))
                    continue
                }
                referenceRecords[record.row, default: []].append(record)
            } catch {
                unreadable.append((shown, "\(error)"))
            }
        }
        for profile in Profile.allCases {
            let path = ProtocolEstimate.path(in: resultsRoot, table: table, profile: profile.rawValue)
            let shown = Self.relative(path, to: resultsRoot)
            do {
                guard let estimate = try ProtocolEstimate.read(path) else { continue }
                guard estimate.table == table, estimate.profile == profile.rawValue else {
                    unreadable.append((shown, "holds the estimate of profile '\(estimate.profile)' of table '\(estimate.table)'"))
                    continue
                }
                estimates.append(estimate)
            } catch {
                unreadable.append((shown, "\(error)"))
            }
        }
        readSameRunRecords(from: files, in: resultsRoot)
        for row in records.keys {
            records[row]?.sort { ($0.profile.order, $0.seed) < ($1.profile.order, $1.seed) }
        }
        for row in sameRunRecords.keys {
            sameRunRecords[row]?.sort { ($0.profile.order, $0.seed) < ($1.profile.order, $1.seed) }
        }
        for row in referenceRecords.keys { referenceRecords[row]?.sort { $0.seed < $1.seed } }
    }

    /// A result file's record; a run that says it is running while the process that held its
    /// lock on this host is gone reads as interrupted.
    private static func read(_ path: String) throws -> RunRecord {
        var record = try ResultStore.read(path)
        if record.status == .running, let holder = RunLock.Holder.read(forResult: path), holder.isGone {
            record.status = .interrupted(holder.stopPoint(afterEpochs: record.epochs.count))
        }
        return record
    }

    /// For each row and profile naming another file's row, that row's records of the profile
    /// among `files` (under `root`). Files that cannot be read, or hold another run, are listed
    /// by their own table.
    private mutating func readSameRunRecords(from files: [String], in root: String) {
        for profile in Profile.allCases {
            for run in experiment.runs(profile) {
                guard let same = run.sameRunAs else { continue }
                let folder = "\(root)/\(same.table)/\(same.row)/"
                for path in files where path.hasPrefix(folder) {
                    guard let record = try? Self.read(path), record.profile == profile,
                          record.table == same.table, record.row == same.row else { continue }
                    sameRunRecords[run.row, default: []].append(record)
                }
            }
        }
    }

    /// `path` below `root` without the root, as the report lists a file.
    private static func relative(_ path: String, to root: String) -> String {
        String(String(path.dropFirst(root.count)).drop { $0 == "/" })
    }

    /// The experiment file as commands name it: relative to the working directory when below it,
    /// else `experiments/<file>` (never a path of the machine that wrote the report).
    var displayPath: String { Self.displayPath(experiment.path) }

    /// `path` as commands name it (see `displayPath`).
    static func displayPath(_ path: String) -> String {
        let base = FileManager.default.currentDirectoryPath + "/"
        if path.hasPrefix(base) { return String(path.dropFirst(base.count)) }
        return path.hasPrefix("/") ? "experiments/" + (path as NSString).lastPathComponent : path
    }

    /// The table's name as the paper gives it: the title before " — " ("Table 1").
    var tableName: String { experiment.file.tableName }

    /// Profiles with at least one result file, the table's own or read from another's row, in
    /// `Profile.allCases` order.
    var profiles: [Profile] {
        let present = Set(records.values.joined().map(\.profile) + sameRunRecords.values.joined().map(\.profile))
        return Profile.allCases.filter(present.contains)
    }

    /// The row of another file whose runs `row`'s are at `profile`, if it names one.
    func sameRun(_ row: String, _ profile: Profile) -> SameRun? { experiment.run(row, profile: profile)?.sameRunAs }

    /// The records of `row` at `profile`: its own, or those of the row it names there.
    func records(_ row: String, _ profile: Profile) -> [RunRecord] {
        let source = sameRun(row, profile) == nil ? records[row] : sameRunRecords[row]
        return (source ?? []).filter { $0.profile == profile }
    }

    /// " — same run as Table 1 `mnist-if` (`local`)", the mark of a row's label where it names
    /// another file's row at `profile`; "" otherwise.
    func sameRunLabel(_ row: String, _ profile: Profile) -> String {
        sameRun(row, profile).map { " — same run as \($0.label) (`\(profile.rawValue)`)" } ?? ""
    }

    /// " (same run as Table 1 `mnist-if`, trained by `fsnn run … --rows mnist-if`)" for a row
    /// that names another file's row at `profile`; "" otherwise.
    func sameRunNote(_ row: String, _ profile: Profile) -> String {
        guard let same = sameRun(row, profile), let command = sameRunCommand(row, profile) else { return "" }
        return " (same run as \(same.label), trained by `\(command)`)"
    }

    /// The command that trains `row`'s runs at `profile` where they are another file's row's.
    func sameRunCommand(_ row: String, _ profile: Profile) -> String? {
        guard var same = sameRun(row, profile) else { return nil }
        same.file = Self.displayPath(same.file)
        return same.command(profile)
    }

    /// The runs that count in statistics: status complete.
    func completed(_ row: String, _ profile: Profile) -> [RunRecord] {
        records(row, profile).filter { $0.status == .complete }
    }

    /// The profiles to print a line for, per row: those with results, or `[nil]` when there are
    /// none, so every row still gets a line.
    var lineProfiles: [Profile?] {
        let present = profiles
        return present.isEmpty ? [nil] : present
    }

    /// One bullet per run that is missing or did not complete, per unreadable file and per stray
    /// directory; empty when every expected run is complete.
    var problems: [String] {
        var lines: [String] = []
        let profiles = self.profiles
        if profiles.isEmpty {
            let rows = experiment.file.rows.map { "`\($0.id)`" }.joined(separator: ", ")
            lines.append("No results yet: every row is missing (\(rows)).")
        }
        for profile in profiles {
            var notRun: [String] = []
            for run in experiment.runs(profile) {
                let found = records(run.row, profile)
                let note = sameRunNote(run.row, profile)
                for record in found where record.status != .complete {
                    lines.append("`\(run.row)` seed \(record.seed) (\(profile.rawValue)): \(Self.describe(record))\(note)")
                }
                let missing = run.seeds.filter { seed in !found.contains { $0.seed == seed } }
                if !missing.isEmpty, missingData[run.row] != nil { continue }
                if missing.count == run.seeds.count {
                    notRun.append("`\(run.row)`\(note)")
                } else if !missing.isEmpty {
                    lines.append("`\(run.row)` (\(profile.rawValue)): missing seeds \(Self.list(missing))\(note)")
                }
            }
            if !notRun.isEmpty { lines.append("not run at `\(profile.rawValue)`: \(notRun.joined(separator: ", "))") }
        }
        lines += dataMissingLines
        for row in experiment.file.rows.map(\.id) {
            for record in records[row] ?? [] {
                guard let same = sameRun(row, record.profile) else { continue }
                lines.append("`\(experiment.file.table)/\(row)/seed-\(record.seed).h5`: a `\(record.profile.rawValue)` run of "
                    + "a row whose `\(record.profile.rawValue)` runs are \(same.label)'s; not shown (remove it)")
            }
        }
        for (path, reason) in unreadable { lines.append("`\(path)`: unreadable: \(reason)") }
        for row in strayRows {
            lines.append("`\(experiment.file.table)/\(row)/`: results for a row that is not in `\(experiment.path)`")
        }
        return lines
    }

    /// One line per missing dataset (not per row): the rows that need it, what was not found,
    /// and where to put the data.
    private var dataMissingLines: [String] {
        var byProblem: [(summary: String, remedy: String, rows: [String])] = []
        for row in experiment.file.rows.map(\.id) {
            guard let (summary, remedy) = missingData[row] else { continue }
            if let index = byProblem.firstIndex(where: { $0.summary == summary }) {
                byProblem[index].rows.append(row)
            } else {
                byProblem.append((summary, remedy, [row]))
            }
        }
        return byProblem.map { problem in
            "data missing for \(problem.rows.map { "`\($0)`" }.joined(separator: ", ")): \(problem.summary). "
                + problem.remedy.replacingOccurrences(of: "\n", with: " ")
        }
    }

    private static func describe(_ record: RunRecord) -> String {
        switch record.status {
        case let .failed(stop):
            return "failed at epoch \(stop.epoch), batch \(stop.batch): \(stop.message)"
        case let .interrupted(stop):
            return "interrupted at epoch \(stop.epoch), batch \(stop.batch): \(stop.message)"
        case .running:
            return "incomplete: the file says running after \(counted(record.epochs.count, "epoch")) (still training, or killed)"
        case .complete:
            return "complete"
        }
    }

    private static func list(_ seeds: [Int]) -> String { seeds.map(String.init).joined(separator: ", ") }
}

extension Profile {
    var order: Int { Profile.allCases.firstIndex(of: self)! }
}

extension RunRecord {
    /// An integer setting, e.g. `time_steps`.
    func integerSetting(_ name: String) -> Int? {
        if case let .integer(value)? = setting(name) { return Int(value) }
        return nil
    }

    func stringSetting(_ name: String) -> String? {
        if case let .string(value)? = setting(name) { return value }
        return nil
    }
}
