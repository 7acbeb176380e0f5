import Datasets
import FSNN
import HDF5

/// Checks a decoded experiment file and resolves its rows for every profile, collecting every
/// problem with its location. The rules:
///
/// * values, in every layer: the bounds and list rules of their settings (`TrainingSettings`,
///   `RunSettings`: Float32, ranges with their reasons, distinct seeds, increasing milestones);
///   a mapping must not contradict itself (`neuron: {type: if, lambda: 0.9}`); paper numbers in
///   [0, 100] with best ≥ mean;
/// * rows: ids unique, lower-case `[a-z0-9._-]`; every profile present;
/// * after resolution (`SettingsResolution`): required settings set, LIF has a λ, settings a row
///   writes apply to it, requests (augmentation, quirks) can take effect wherever written, the
///   model fits the dataset, classes match it; twins — the rows that name one row without `twin`
///   as theirs — have one method each, another than that row's, and resolve to its settings
///   except for the gradient method and its options;
/// * `same_run_as`: at profiles the file defines, `<table>/<row>` names of another file (the
///   rest, against that file, is `RunReferenceResolver`'s).
struct ExperimentValidator {
    let file: ExperimentFile
    let locations: YAMLLocations
    private var issues: [ExperimentIssue] = []

    init(file: ExperimentFile, locations: YAMLLocations) {
        self.file = file
        self.locations = locations
    }

    /// The runs of every profile, or every problem found.
    mutating func validate() -> Result<[Profile: [ExperimentRun]], ExperimentError> {
        checkFile()
        checkPatch(file.defaults, at: "defaults")
        for profile in Profile.allCases {
            checkPatch(file.profiles[profile], at: "profiles.\(profile.rawValue)")
        }
        checkRows()

        var runs: [Profile: [ExperimentRun]] = [:]
        var seen = Set(issues.map(\.description))
        for profile in Profile.allCases where profile.isRequired || file.profiles[profile] != nil {
            let before = issues.count
            runs[profile] = resolveRows(profile)
            var fresh: [ExperimentIssue] = []
            for var issue in issues[before...] where !seen.contains(issue.description) {
                seen.insert(issue.description)
                if profile != .paper { issue.message += " (profile \(profile.rawValue))" }
                fresh.append(issue)
            }
            issues.replaceSubrange(before..., with: fresh)
        }
        guard issues.isEmpty else {
            return .failure(.invalid(issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) }))
        }
        return .success(runs)
    }

    private mutating func report(_ field: String, _ message: String) {
        issues.append(locations.issue(field, message))
    }

    /// Reports `message(value)` at `field` when a present value fails `isValid`.
    private mutating func check<Value>(_ value: Value?, _ field: String, _ isValid: (Value) -> Bool,
                                       _ message: (Value) -> String) {
        if let value, !isValid(value) { report(field, message(value)) }
    }

    // MARK: File and rows

    private static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { "abcdefghijklmnopqrstuvwxyz0123456789._-".unicodeScalars.contains($0) }
            && !text.hasPrefix(".")
    }

    private mutating func checkFile() {
        check(file.table, "table", Self.isName) { "'\($0)' must be a lower-case name of a-z, 0-9, '.', '_', '-'" }
        if file.rows.isEmpty { report("rows", "a file needs at least one row") }
        for profile in Profile.allCases where profile.isRequired && file.profiles[profile] == nil {
            report("profiles", "profile '\(profile.rawValue)' is missing (write `\(profile.rawValue): {}` if it changes nothing)")
        }
    }

    private mutating func checkRows() {
        var firstIndex: [String: Int] = [:]
        for (index, row) in file.rows.enumerated() {
            let at = "rows[\(index)]"
            check(row.id, "\(at).id", Self.isName) { "'\($0)' must be a lower-case name of a-z, 0-9, '.', '_', '-'" }
            if let first = firstIndex[row.id] {
                report("\(at).id", "duplicate row id '\(row.id)' (also rows[\(first)])")
            } else {
                firstIndex[row.id] = index
            }
            checkPatch(row.settings, at: at)
            for profile in Profile.allCases {
                checkPatch(row.profiles?[profile], at: "\(at).profiles.\(profile.rawValue)")
            }
            if let references = row.sameRunAs { checkReferences(references, at: "\(at).same_run_as") }
            if let paper = row.paper {
                let percent: (Double) -> Bool = { $0 >= 0 && $0 <= 100 }
                check(paper.mean, "\(at).paper.mean", percent) { "\($0) is outside [0, 100] (percent)" }
                check(paper.std, "\(at).paper.std", { $0 >= 0 }) { "\($0) must not be negative" }
                check(paper.best, "\(at).paper.best", { percent($0) && $0 >= paper.mean }) {
                    "\($0) must lie in [mean, 100] = [\(paper.mean), 100]"
                }
            }
        }
    }

    /// What a `same_run_as` mapping says on its own: names, at profiles the file defines, of
    /// another file's row. Whether that row exists and is the same run is `RunReferenceResolver`'s.
    private mutating func checkReferences(_ references: PerProfile<RunReference>, at prefix: String) {
        for profile in references.profiles {
            guard let reference = references[profile] else { continue }
            let field = YAMLPath.child(prefix, profile.rawValue)
            if file.profiles[profile] == nil {
                report(field, "the file has no profile '\(profile.rawValue)'; a row is another's run only at a profile it runs")
            } else if !Self.isName(reference.table) || !Self.isName(reference.row) {
                report(field, "'\(reference)' must be <table>/<row>, two lower-case names of a-z, 0-9, '.', '_', '-'")
            } else if reference.table == file.table {
                report(field, "'\(reference)' is a row of this file; same_run_as names a row of another experiment file")
            }
        }
    }

    // MARK: Values of one settings layer

    private mutating func checkPatch(_ patch: SettingsPatch?, at prefix: String) {
        guard let patch else { return }
        for entry in SettingsSchema.entries {
            guard let literal = patch[entry.key] else { continue }
            let field = YAMLPath.child(prefix, entry.key)
            for problem in entry.declaration.problems(of: literal) {
                report(problem.element.map { YAMLPath.element(field, $0) } ?? field, problem.message)
            }
        }
        // A mapping that contradicts itself: a member that the mapping's own other member rules out.
        for entry in SettingsSchema.entries where entry.group != nil {
            guard let literal = patch[entry.key], let reads = entry.reads, let condition = SettingsSchema.byKey[reads],
                  condition.group == entry.group, let value = patch[reads] else { continue }
            var probe = ResolvedSettings.defaults
            guard condition.assign(value, to: &probe), entry.assign(literal, to: &probe),
                  let message = entry.inapplicability(in: probe) else { continue }
            report(YAMLPath.child(prefix, entry.key), message)
        }
    }

    // MARK: Resolution

    /// The layers of a row for a profile, least specific first, with their paths.
    private func layers(_ row: ExperimentRow, index: Int, _ profile: Profile) -> [(path: String, patch: SettingsPatch?)] {
        [("defaults", file.defaults), ("profiles.\(profile.rawValue)", file.profiles[profile]),
         ("rows[\(index)]", row.settings), ("rows[\(index)].profiles.\(profile.rawValue)", row.profiles?[profile])]
    }

    /// The field of the most specific layer that set `key` for this row and profile (a mapping
    /// written as its shorthand, `neuron: lif`, is found at the mapping's key), or the row itself
    /// when no layer did.
    private func origin(of key: String, in layers: [(path: String, patch: SettingsPatch?)], row index: Int) -> String {
        for (path, patch) in layers.reversed() where patch?[key] != nil {
            let field = YAMLPath.child(path, key)
            if !locations.contains(field), let group = SettingsSchema.byKey[key]?.group { return YAMLPath.child(path, group) }
            return field
        }
        return "rows[\(index)]"
    }

    private mutating func resolveRows(_ profile: Profile) -> [ExperimentRun] {
        var runs: [ExperimentRun] = []
        for (index, row) in file.rows.enumerated() {
            if let run = resolve(row, index: index, profile) { runs.append(run) }
        }
        let byID = Dictionary(runs.map { ($0.row, $0) }, uniquingKeysWith: { first, _ in first })
        for (index, row) in file.rows.enumerated() {
            guard let twinID = row.twin, let run = byID[row.id] else { continue }
            checkTwin(run, twinID: twinID, index: index, byID: byID, profile)
        }
        return runs
    }

    private mutating func resolve(_ row: ExperimentRow, index: Int, _ profile: Profile) -> ExperimentRun? {
        let layers = self.layers(row, index: index, profile)
        let written = layers.reduce(SettingsPatch()) { $0.overlaid(by: $1.patch) }
        let own = layers.suffix(2).compactMap(\.patch)
        switch SettingsResolution.resolve(written, isOwn: { key in own.contains { $0[key] != nil } }) {
        case let .resolved(settings):
            return ExperimentRun(
                table: file.table, row: row.id,
                label: row.label ?? Self.defaultLabel(dataset: settings.run.dataset, training: settings.training),
                profile: profile, kind: file.kind, settings: settings.run, training: settings.training,
                paper: row.paper, twin: row.twin)
        case let .rejected(problems):
            for problem in problems {
                guard let key = problem.key else {
                    report("rows[\(index)]", "\(problem.message) for row '\(row.id)' (in the row, the profiles or defaults)")
                    continue
                }
                report(origin(of: key, in: layers, row: index), problem.message)
            }
            return nil
        }
    }

    private mutating func checkTwin(
        _ run: ExperimentRun, twinID: String, index: Int, byID: [String: ExperimentRun], _ profile: Profile
    ) {
        let at = "rows[\(index)].twin"
        guard let twin = byID[twinID] else {
            if !file.rows.contains(where: { $0.id == twinID }) { report(at, "no row '\(twinID)' in this file") }
            return
        }
        if let primary = twin.twin {
            report(at, "'\(twinID)' is itself a twin (of '\(primary)'); a twin names the row its group is keyed on, "
                + "a row without `twin`")
            return
        }
        let method = run.training.method.rawValue
        // The group's row it is keyed on and the twins before this one: a repeated method is reported once, at its second row.
        let earlier = file.rows.enumerated().filter { $0.element.id == twinID || ($0.offset < index && $0.element.twin == twinID) }
        if let same = earlier.compactMap({ byID[$0.element.id] }).first(where: { $0.training.method == run.training.method }) {
            report(at, "'\(run.row)' and '\(same.row)' are both \(method) rows of the group of '\(twinID)'; twins are "
                + "rows of one network keyed by method, one row per method")
            return
        }
        func comparable(_ run: ExperimentRun) -> [(name: String, value: HDF5AttributeValue)] {
            var copy = run
            copy.training.quirks.subtract(DatasetRules.ideOnlyQuirks)
            return copy.settingAttributes.filter { !SettingsSchema.methodSettings.contains($0.name) }
        }
        let mine = comparable(run), theirs = comparable(twin)
        var names = mine.map(\.name)
        names += theirs.map(\.name).filter { !names.contains($0) }
        for name in names {
            let a = mine.first { $0.name == name }?.value, b = theirs.first { $0.name == name }?.value
            if a != b {
                report(at, "row '\(run.row)' differs from its twin '\(twinID)' in \(name): "
                    + "\(Self.show(a)) vs \(Self.show(b)); twins must share every setting but the method's own")
                return
            }
        }
    }

    private static func show(_ value: HDF5AttributeValue?) -> String {
        switch value {
        case nil: return "unset"
        case let .string(text)?: return text
        case let .strings(list)?: return "[" + list.joined(separator: ", ") + "]"
        case let .double(number)?: return "\(number)"
        case let .doubles(list)?: return "\(list)"
        case let .integer(number)?: return "\(number)"
        case let .integers(list)?: return "\(list)"
        }
    }

    /// "mnist · mnist_64c5s_f64c5 · LIF λ=0.95 · T=30 · ide"
    static func defaultLabel(dataset: DatasetName, training t: TrainingConfiguration) -> String {
        let neuron = t.neuron == .integrateAndFire ? "IF" : "LIF λ=\(t.neuron.lambda.decimal)"
        return "\(dataset.rawValue) · \(t.model.rawValue) · \(neuron) · T=\(t.timeSteps) · \(t.method.rawValue)"
    }
}
