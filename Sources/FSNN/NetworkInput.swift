import Tensor

/// One batch of network input (spec §2.4).
public enum NetworkInput {
    /// Static images [B] + sample shape (normalised): the input current is computed once per
    /// batch and injected at every step.
    case image(Tensor)
    /// Binary spike frames [B, T, C, H, W]: the current is computed from each step's frame.
    case spikes(Tensor)

    public var batchSize: Int {
        switch self {
        case let .image(x), let .spikes(x): return x.shape[0]
        }
    }

    /// Per-step frames for a spike batch as [B, T, frame…] and the frame shape.
    var frameShape: [Int]? {
        guard case let .spikes(x) = self else { return nil }
        return Array(x.shape.dropFirst(2))
    }
}
