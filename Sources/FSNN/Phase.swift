/// Training runs the network with dropout and batch statistics; evaluation with running
/// statistics and no dropout (spec §4.3, §6.2, §6.3).
public enum Phase: Sendable {
    case training
    case evaluation
}
