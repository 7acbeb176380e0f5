import FSNN

/// Where the record departs from the paper's setting, in one list built from the experiment and
/// result files: the reference-code behaviours reproduced (quirks) and those corrected, the data
/// subsets read, the memory measure, the substitute networks, and the settings the other methods
/// borrow from IDE.
struct DeviationList {
    let tables: [TableResults]

    init(_ tables: [TableResults]) { self.tables = tables }

    var markdown: String {
        (quirks + subsets + memory + substitutes + borrowedSettings).map { "- \($0)\n" }.joined()
    }

    /// Per quirk listed by some row: what it reproduces and where; then the quirks no row lists.
    private var quirks: [String] {
        var lines: [String] = []
        var unused: [String] = []
        for quirk in Quirk.allCases {
            let uses = tables.compactMap { results -> String? in
                let runs = results.experiment.runs(.paper)
                let listing = runs.filter { $0.training.quirks.contains(quirk) }
                guard !listing.isEmpty else { return nil }
                return "\(results.experiment.file.table) (\(listing.count == runs.count ? "every row" : "\(listing.count) of \(runs.count) rows"))"
            }
            let (item, behaviour) = QuirkNote.description(quirk)
            guard !uses.isEmpty else {
                unused.append("\(item) (`\(quirk.rawValue)`)")
                continue
            }
            lines.append("Reproduced reference behaviour \(item) `\(quirk.rawValue)`, \(behaviour): \(uses.joined(separator: ", ")).")
        }
        if !unused.isEmpty {
            lines.append("Corrected in every row (spec §11): \(unused.joined(separator: ", ")). A row takes the "
                + "corrected behaviour of every quirk it does not list.")
        }
        return lines
    }

    /// The data the runs read where it was not the whole dataset their row asks for.
    private var subsets: [String] {
        var seen: [String] = []
        for results in tables {
            // In the file's row order: the records are held by row id, in no fixed order.
            let records = results.experiment.file.rows.compactMap { results.records[$0.id] }.joined()
            for record in records where !record.readsWholeDataset && record.profile != .smoke {
                let p = record.provenance
                let asked = record.stringSetting("dataset") ?? p.datasetUsed
                var text = "\(results.experiment.file.table): \(asked) read as \(p.datasetUsed) \(p.trainSamples)/\(p.testSamples)"
                if let sizes = DatasetName(rawValue: asked)?.publishedSplitSizes {
                    text += " of \(sizes.train)/\(sizes.test)"
                }
                text += " (profile `\(record.profile.rawValue)`)"
                if !seen.contains(text) { seen.append(text) }
            }
        }
        guard !seen.isEmpty else { return [] }
        return ["Data subsets (train/test samples per epoch; smoke runs not listed): " + seen.joined(separator: "; ") + "."]
    }

    private var memory: [String] {
        guard tables.contains(where: { $0.experiment.file.kind == .memory && !$0.records.isEmpty }) else { return [] }
        return ["Memory (Table 4) is the peak of live tensor bytes in this process on the CPU (fsnn's allocation tracker), "
            + "not GPU memory as the paper measured it; activations of the framework, caches, the allocator and the input "
            + "batches are not counted."]
    }

    private var substitutes: [String] {
        tables.compactMap { results in
            let file = results.experiment.file
            guard let models = file.paperModels else { return nil }
            let rows = file.rows.map(\.id).filter { row in
                results.experiment.run(row, profile: .paper).map { !file.isPaperModel($0.training.model) } ?? false
            }
            guard !rows.isEmpty else { return nil }
            return "Substitute networks in \(file.table) (the paper used \(models.map(\.rawValue).joined(separator: ", "))): "
                + "\(SummarySection.list(rows)); shown, never the basis of a verdict."
        }
    }

    /// The optimiser settings non-IDE rows take from their IDE twins.
    private var borrowedSettings: [String] {
        var lines: [String] = []
        for method in TrainingMethod.allCases where method != .ide {
            var values: Set<String> = []
            for results in tables {
                for group in TwinGroup.groups(in: results.experiment) {
                    guard group.row(.ide) != nil, let twin = group.row(method) else { continue }
                    let t = twin.training
                    values.insert("\(t.optimizer.rawValue) lr \(t.learningRate.decimal), momentum \(t.momentum.decimal), "
                        + "weight decay \(t.weightDecay.decimal)")
                }
            }
            guard !values.isEmpty else { continue }
            lines.append("\(method.displayName) rows train with their IDE twin's optimiser settings (\(values.sorted().joined(separator: "; "))), "
                + "which the paper chose for IDE; they were not tuned for \(method.displayName) (spec §10).")
        }
        return lines
    }
}
