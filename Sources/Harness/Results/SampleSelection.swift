import Datasets

/// Which samples of a split a run used, as its result file records them (`/config@train_selection`,
/// `@train_class_counts`, `@test_selection`, `@test_class_counts`): the rule and the samples per
/// class, so a reader sees that an accuracy on a subset covered every class.
public struct SampleSelection: Equatable, Sendable {
    public enum Rule: String, Equatable, Sendable {
        /// Every sample of the split.
        case all
        /// A seeded class-stratified selection (`DatasetSplit.stratifiedOrder`): a subset, or the
        /// test batches before a cap.
        case stratified
        /// The first samples in file order: what files written before selections were stratified
        /// hold (they lack the attributes). Biased when the files are sorted by label (N-MNIST).
        case fileOrder = "file order"
    }

    public var rule: Rule
    /// Samples per label, indexed by label; empty when unknown (`fileOrder`).
    public var classCounts: [Int]

    public init(rule: Rule, classCounts: [Int]) {
        self.rule = rule
        self.classCounts = classCounts
    }

    /// The samples at `indices` of `split` (distinct indices): `all` when they are the whole split.
    public init(indices: some Collection<Int>, of split: any DatasetSplit) {
        var counts = [Int](repeating: 0, count: split.classCount)
        for index in indices { counts[split.labels[index]] += 1 }
        self.init(rule: indices.count == split.count ? .all : .stratified, classCounts: counts)
    }

    /// What a file written before selections were recorded used.
    public static let unrecorded = SampleSelection(rule: .fileOrder, classCounts: [])

    /// "all", or "stratified, 2–3 per class (10 classes)" with the smallest and largest class.
    public var summary: String {
        guard rule == .stratified, let least = classCounts.min(), let most = classCounts.max() else { return rule.rawValue }
        let range = least == most ? "\(least)" : "\(least)–\(most)"
        return "stratified, \(range) per class (\(classCounts.count) classes)"
    }
}
