import Tensor

/// The random streams of a run, all split from its seed in a fixed order, so a run is
/// reproducible from the seed alone.
public struct RunStreams: Codable, Equatable, Sendable {
    public var model: RandomGenerator
    public var dropout: RandomGenerator
    public var trainData: RandomGenerator
    public var testData: RandomGenerator

    public init(seed: UInt64) {
        var root = RandomGenerator(seed: seed)
        model = root.split()
        dropout = root.split()
        trainData = root.split()
        testData = root.split()
    }
}
