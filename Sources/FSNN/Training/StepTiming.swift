/// Wall-clock split of a training step, in seconds.
public struct StepTiming: Sendable {
    public var simulate: Double = 0
    public var solve: Double = 0
    public var parameterGradient: Double = 0
    public var total: Double = 0

    public init() {}
}
