import Datasets

/// How close a run's conditions are to the paper's protocol. Only runs at `paper` are compared
/// with the paper's numbers; every other class is reported on its own, labelled.
enum RunProtocol: Int, Comparable, CaseIterable {
    /// Profile `paper` on the dataset's whole published training and test splits.
    case paper
    /// The whole data, other settings (a `local` or `quick` profile: fewer epochs).
    case reduced
    /// A part of the data: a subset, capped batches, or an offline subset of the dataset.
    case subset
    /// Profile `smoke`: a couple of batches, a check that the code runs.
    case smoke

    init(_ record: RunRecord) {
        if record.profile == .smoke {
            self = .smoke
        } else if !record.readsWholeDataset {
            self = .subset
        } else {
            self = record.profile == .paper ? .paper : .reduced
        }
    }

    static func < (a: RunProtocol, b: RunProtocol) -> Bool { a.rawValue < b.rawValue }

    var name: String {
        switch self {
        case .paper: return "paper protocol"
        case .reduced: return "reduced profile"
        case .subset: return "data subset"
        case .smoke: return "smoke"
        }
    }
}

extension RunRecord {
    /// Whether the run read the dataset its row asks for, whole: its published training and
    /// test splits, every sample.
    var readsWholeDataset: Bool {
        let p = provenance
        guard let asked = stringSetting("dataset"), p.datasetUsed == asked,
              let sizes = DatasetName(rawValue: asked)?.publishedSplitSizes else { return false }
        return p.trainSamples == sizes.train && p.testSamples == sizes.test
    }
}
