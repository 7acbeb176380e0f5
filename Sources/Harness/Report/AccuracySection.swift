/// Tables 1–3: per row, the paper's IDE result against ours for IDE and its STBP twin.
enum AccuracySection {
    static func blocks(_ results: TableResults) -> [ReportBlock] {
        var table = MarkdownTable(
            ["row", "data (train/test)", "paper (IDE)", "IDE (ours)", "n", "Δ", "STBP (ours)", "n", "profile", "epochs"],
            numericColumns: [2, 3, 4, 5, 6, 7, 9])
        var notes: [String] = []
        let profiles = results.lineProfiles
        for pair in RowPair.pairs(in: results.experiment) {
            for profile in profiles {
                let ide = pair.ide.map { completed(results, $0.row, profile) } ?? []
                let stbp = pair.stbp.map { completed(results, $0.row, profile) } ?? []
                let ideSummary = SampleSummary(ide.compactMap(\.bestAccuracy))
                let stbpSummary = SampleSummary(stbp.compactMap(\.bestAccuracy))
                var label = pair.primary.label
                if let note = pair.primary.dataNote {
                    if !notes.contains(note) { notes.append(note) }
                    label += " " + String(repeating: "†", count: notes.firstIndex(of: note)! + 1)
                }
                var delta = ReportFormat.dash
                if let ours = ideSummary?.mean, let paper = pair.ide?.paper?.mean {
                    delta = ReportFormat.signed(ours - paper, 2)
                }
                table.append([
                    label, dataUsed(ide + stbp, fallback: pair.primary), ReportFormat.paper(pair.ide?.paper),
                    ReportFormat.accuracy(ideSummary), count(ide, pair.ide, results, profile), delta,
                    ReportFormat.accuracy(stbpSummary), count(stbp, pair.stbp, results, profile),
                    profile?.rawValue ?? ReportFormat.dash, epochs(ide + stbp),
                ])
            }
        }
        var text = table.markdown
        for (index, note) in notes.enumerated() {
            text += "\n\(String(repeating: "†", count: index + 1)) \(note)\n"
        }
        return [.text(text)]
    }

    private static func completed(_ results: TableResults, _ row: String, _ profile: Profile?) -> [RunRecord] {
        profile.map { results.completed(row, $0) } ?? []
    }

    /// "3/5": completed runs of the expected seeds.
    static func count(_ completed: [RunRecord], _ run: ExperimentRun?, _ results: TableResults, _ profile: Profile?) -> String {
        guard let run, let profile, let expected = results.experiment.run(run.row, profile: profile)?.seeds.count else {
            return ReportFormat.dash
        }
        return "\(completed.count)/\(expected)"
    }

    /// The data the runs actually read: "mnist 5000/1000".
    static func dataUsed(_ records: [RunRecord], fallback run: ExperimentRun) -> String {
        let used = records.map { "\($0.provenance.datasetUsed) \($0.provenance.trainSamples)/\($0.provenance.testSamples)" }
        let distinct = used.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return distinct.isEmpty ? run.dataset.rawValue : distinct.joined(separator: "; ")
    }

    /// The configured epochs of the runs ("100", or "1/3" when they differ).
    static func epochs(_ records: [RunRecord]) -> String {
        let values = records.compactMap { $0.integerSetting("epochs") }
        let distinct = values.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        return distinct.isEmpty ? ReportFormat.dash : distinct.map(String.init).joined(separator: "/")
    }
}
