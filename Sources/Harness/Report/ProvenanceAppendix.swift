/// Appendix D: per row and profile, where its runs come from — source revision (clean or dirty,
/// and whether its training code is today's), start dates, wall-clock, CPU and threads — and the
/// command that reproduces them (for a row whose runs are another file's row's, that row's).
enum ProvenanceAppendix {
    static func markdown(_ tables: [TableResults], revisions: inout SourceRevisions) -> String {
        var table = MarkdownTable(["table", "row", "profile", "seeds", "revision", "training code", "started",
                                   "wall-clock h", "CPU", "threads", "command"], numericColumns: [7, 9])
        for results in tables {
            for profile in results.profiles {
                for row in results.experiment.file.rows.map(\.id) {
                    let own = results.records(row, profile)
                    let reference = (results.referenceRecords[row] ?? []).filter { $0.profile == profile }
                    if !own.isEmpty {
                        let seeds = own.map(\.seed).sorted().map(String.init).joined(separator: ",")
                        var command = "`fsnn run \(results.displayPath) --profile \(profile.rawValue) --rows \(row) --seeds \(seeds)`"
                        if let same = results.sameRun(row, profile), let trains = results.sameRunCommand(row, profile) {
                            command = "same run as \(same.label): `\(trains) --seeds \(seeds)`"
                        }
                        table.append(line(own, row: row, profile: profile, table: results.experiment.file.table,
                                          revisions: &revisions, command: command))
                    }
                    if !reference.isEmpty {
                        let seeds = reference.map(\.seed).sorted().map(String.init)
                        table.append(line(reference, row: row, profile: profile, table: results.experiment.file.table,
                                          revisions: &revisions, command: "`tools/reference/run_table1.py --released "
                                              + "<checkout> --row \(row) --seed <k>` (k = \(seeds.joined(separator: ", "))), "
                                              + (reference.compactMap(\.implementation).first ?? "")))
                    }
                }
            }
        }
        guard !table.rows.isEmpty else { return "No result files yet.\n" }
        return "Each command runs at the revision beside it (`git checkout <revision>`, `swift build -c release`); "
            + "`--threads 1` with `--jobs 1` reproduces a run bit for bit (when and where it ran aside; `tools/compare-runs` checks it). \"Training code\" "
            + "compares Sources/Tensor, Layers, FSNN, Datasets and Package.swift at the revision with this checkout's "
            + "HEAD.\n\n" + table.markdown
    }

    /// One row of the appendix: the records' revisions, dates, wall-clock, CPUs and threads.
    private static func line(_ records: [RunRecord], row: String, profile: Profile, table: String,
                             revisions: inout SourceRevisions, command: String) -> [String] {
        let revisionList = distinct(records.map(\.provenance.gitRevision))
        let matches = Set(revisionList.map { revisions.match($0) })
        let dates = records.map { String($0.provenance.started.prefix(10)) }.sorted()
        return [table, "`\(row)`", profile.rawValue, records.map(\.seed).sorted().map(String.init).joined(separator: ", "),
                revisionList.joined(separator: "; "), describe(matches),
                dates.first == dates.last ? dates[0] : "\(dates[0]) … \(dates.last!)",
                ReportFormat.fixed(records.map(\.wallSeconds).reduce(0, +) / 3600, 2),
                distinct(records.map { $0.provenance.cpu ?? "not recorded" }).joined(separator: "; "),
                distinct(records.map { "\($0.computeThreads)" }).joined(separator: "/"), command]
    }

    private static func describe(_ matches: Set<SourceRevisions.Match>) -> String {
        if matches == [.same] { return "as HEAD" }
        var parts: [String] = []
        if matches.contains(.differs) { parts.append("differs from HEAD") }
        if matches.contains(.dirty) { parts.append("dirty: unknown") }
        if matches.contains(.unknown) { parts.append("not checked") }
        if matches.contains(.same) { parts.append("as HEAD for some") }
        return parts.joined(separator: "; ")
    }

    private static func distinct(_ values: [String]) -> [String] {
        values.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }
}
