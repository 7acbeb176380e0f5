import Tensor

/// A named tensor, e.g. `network_s.weight` in its PyTorch layout.
public struct NamedTensor: Sendable {
    public var name: String
    public var tensor: Tensor

    public init(_ name: String, _ tensor: Tensor) {
        self.name = name
        self.tensor = tensor
    }
}
