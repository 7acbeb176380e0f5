/// Resolves the `same_run_as` references of a validated experiment file against the experiment
/// files in its directory, refusing (at `rows[i].same_run_as.<profile>`) any that is not the same
/// run. A row naming `<table>/<row>` at profile p is that row's run when:
///
/// * exactly one file beside it has `table: <table>`, and it is of another report kind (a run
///   shown by two files of one kind would count twice in that kind's verdicts);
/// * that file defines p and has the row, and the row trains at p: it names no row itself there
///   (a chain, or a cycle, is refused rather than followed);
/// * no other row of this file, nor of another file of this kind, names the same row at p;
/// * both resolve at p to the same settings — dataset, model, neuron and λ, T, method and its
///   options, quirks, epochs, batches, optimiser and schedule, subsets, seeds — except
///   `data_note`, which only describes, and the residual traces, which only record;
/// * the referenced row records the residual traces this one asks for (`convergence`), with the
///   same steps and batches. Rates, synaptic operations and memory every run records.
struct RunReferenceResolver {
    let file: ExperimentFile
    /// The file's path, whose directory holds the files references name.
    let path: String
    let locations: YAMLLocations
    private(set) var issues: [ExperimentIssue] = []

    init(file: ExperimentFile, path: String, locations: YAMLLocations) {
        self.file = file
        self.path = path
        self.locations = locations
    }

    /// Settings that may differ between a row and the row whose runs it reads.
    private static let unshaping: Set<String> = SettingsSchema.recordingSettings.union(["data_note"])

    /// Sets `sameRunAs` of every referring run of `runs`, or records why it cannot.
    mutating func resolve(_ runs: inout [Profile: [ExperimentRun]]) {
        let referring = file.rows.indices.filter { file.rows[$0].sameRunAs != nil }
        guard !referring.isEmpty else { return }
        let siblings = Experiment.siblings(of: path)
        for index in referring {
            let row = file.rows[index]
            for profile in row.sameRunAs?.profiles ?? [] {
                guard let reference = row.sameRunAs?[profile],
                      let position = runs[profile]?.firstIndex(where: { $0.row == row.id }),
                      let run = runs[profile]?[position] else { continue }
                do {
                    runs[profile]?[position].sameRunAs = try sameRun(run, reference, index: index, siblings: siblings)
                } catch {
                    issues.append(locations.issue("rows[\(index)].same_run_as.\(profile.rawValue)", error.message))
                }
            }
        }
    }

    private struct Refusal: Error {
        let message: String
    }

    private func sameRun(_ run: ExperimentRun, _ reference: RunReference, index: Int,
                         siblings: (experiments: [Experiment], unusable: [String])) throws(Refusal) -> SameRun {
        let profile = run.profile, at = "at profile \(run.profile.rawValue)"
        let holders = siblings.experiments.filter { $0.file.table == reference.table }
        guard let other = holders.first else {
            let unusable = siblings.unusable.isEmpty ? ""
                : " (\(siblings.unusable.joined(separator: ", ")) cannot be read or is invalid)"
            throw Refusal(message: "no experiment file beside \(path) has `table: \(reference.table)`\(unusable)")
        }
        guard holders.count == 1 else {
            throw Refusal(message: "`table: \(reference.table)` is the table of \(holders.map(\.path).joined(separator: " and "))"
                + "; a reference needs one file per table")
        }
        guard other.file.kind != file.kind else {
            throw Refusal(message: "\(other.path) is also a `kind: \(file.kind.rawValue)` file: the run would be shown "
                + "twice in one kind of table and counted twice in its verdicts")
        }
        guard other.defines(profile) else { throw Refusal(message: "\(other.path) has no profile \(profile.rawValue)") }
        guard let referenced = other.run(reference.row, profile: profile) else {
            let ids = Set(other.file.rows.map(\.id))
            let suggestion = Spelling.closest(to: reference.row, among: ids).map { "; did you mean '\($0)'?" } ?? ""
            throw Refusal(message: "\(other.path) has no row '\(reference.row)'\(suggestion)")
        }
        if let next = other.file.rows.first(where: { $0.id == reference.row })?.sameRunAs?[profile] {
            if next == RunReference(table: file.table, row: run.row) {
                throw Refusal(message: "a cycle: \(reference) names this row back \(at); one of the two must train")
            }
            throw Refusal(message: "\(reference) is itself the same run as \(next) \(at); name the row that trains, \(next)")
        }
        if let twice = alsoNaming(reference, profile, except: index, siblings: siblings.experiments) {
            throw Refusal(message: "\(twice) also names \(reference) \(at): the run would be counted twice")
        }
        let mine = Self.entries(run), theirs = Self.entries(referenced)
        let differences = ConfigEntry.differences(mine, theirs, ignoring: Self.unshaping)
        guard differences.isEmpty else {
            let listed = differences.map { "\($0.name) \($0.stored) here, \($0.requested) there" }.joined(separator: "; ")
            throw Refusal(message: "row '\(run.row)' is not the same run as \(reference) (\(other.path)) \(at): \(listed); "
                + "every setting but data_note and convergence must match")
        }
        let recorded = ConfigEntry.differences(mine.filter { SettingsSchema.recordingSettings.contains($0.name) },
                                               theirs.filter { SettingsSchema.recordingSettings.contains($0.name) },
                                               ignoring: [])
        if let wanted = run.convergence, !recorded.isEmpty {
            let listed = recorded.map { "\($0.name) \($0.stored) here, \($0.requested) there" }.joined(separator: "; ")
            throw Refusal(message: "\(reference) (\(other.path)) does not record the residual traces this row shows \(at) "
                + "(\(listed)); give that row `convergence: {steps: \(wanted.steps), batches: \(wanted.batches)}`")
        }
        return SameRun(reference: reference, file: other.path, tableName: other.file.tableName)
    }

    /// Another row that names `reference` at `profile`, in this file (not row `index`) or in
    /// another file of this kind: "rows[3] ('x')", "row 'x' of <path>".
    private func alsoNaming(_ reference: RunReference, _ profile: Profile, except index: Int,
                            siblings: [Experiment]) -> String? {
        if let other = file.rows.indices.first(where: { $0 != index && file.rows[$0].sameRunAs?[profile] == reference }) {
            return "rows[\(other)] ('\(file.rows[other].id)')"
        }
        for sibling in siblings where sibling.file.kind == file.kind {
            if let row = sibling.file.rows.first(where: { $0.sameRunAs?[profile] == reference }) {
                return "row '\(row.id)' of \(sibling.path)"
            }
        }
        return nil
    }

    private static func entries(_ run: ExperimentRun) -> [ConfigEntry] {
        run.settingAttributes.map { ConfigEntry(name: $0.name, value: $0.value) }
    }
}
