/// What the input block of a network reads (spec §2.4).
public enum InputKind: Sendable {
    /// A static image: the input current is computed once per batch and injected at every step.
    case staticImage
    /// Binary spike frames, one per step: the current is computed from each step's frame.
    case spikeFrames
}
