/// Work that stopped because the tool running it asked (`FeedbackNetwork.interruptionCheck`
/// returned true): a simulation, a BPTT backward pass or an adjoint solve ended early and its
/// results are discarded. A run records itself as interrupted.
public struct WorkInterrupted: Error, Equatable, CustomStringConvertible {
    /// The loop that stopped: "the simulation at step 17", "the adjoint solve".
    public let place: String

    public var description: String { "interrupted in \(place)" }
}
