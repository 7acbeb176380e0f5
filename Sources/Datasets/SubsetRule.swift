/// Which samples of a split the batcher uses (for quick profiles).
public enum SubsetRule: Codable, Hashable, Sendable {
    case all
    /// Samples 0..<n.
    case first(Int)
    /// n samples drawn without replacement by the batcher's seed, in ascending index order.
    case sample(Int)
}
