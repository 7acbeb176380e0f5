import Datasets

/// `fsnn data verify`: every dataset's presence, validity, counts and checksums, as text.
public enum DataReport {
    /// The report on `names` (all datasets when empty) under `root`, and whether a dataset that
    /// is present has a problem.
    public static func verify(_ names: [DatasetName], root: DataRoot) -> (text: String, hasProblems: Bool) {
        let results = DataVerification.verify(names.isEmpty ? DatasetName.allCases : names, root: root)
        return (DataVerification.report(results, root: root), DataVerification.hasProblems(results))
    }
}
