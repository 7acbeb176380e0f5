/// Which samples of a split the batcher uses (for quick profiles).
public enum SubsetRule: Codable, Hashable, Sendable {
    case all
    /// n samples, class-stratified and drawn by the batcher's seed: the first n of the split's
    /// `stratifiedOrder`, so each class has its share of the split within one sample.
    case stratified(Int)
}
