import Testing
@testable import FSNN

/// The divergence rule (issue 11): a loss above factor × ln C for `patience` consecutive batches
/// of one epoch, or for every batch of a shorter epoch.
@Suite struct DivergenceWatchTests {
    static func watch(factor: Float? = nil, classes: Int = 10, batches: Int = 100) -> DivergenceWatch {
        var configuration = TrainingConfiguration(model: .fmnistF400, timeSteps: 4)
        configuration.classCount = classes
        configuration.divergenceFactor = factor
        return DivergenceWatch(configuration: configuration, batchesPerEpoch: batches)
    }

    @Test func theLimitIsTheFactorTimesTheLossOfGuessing() {
        #expect(abs(Self.watch().limit - 10 * 2.302585) < 1e-4)
        #expect(abs(Self.watch(factor: 3, classes: 100).limit - 3 * 4.60517) < 1e-4)
    }

    @Test func onlyConsecutiveBatchesAboveTheLimitDiverge() {
        var watch = Self.watch()
        let first = (0..<9).map { _ in watch.observe(24) } + [watch.observe(23)]
        #expect(!first.contains(true), "23 < 10 ln 10 = 23.03 restarts the count")
        let second = (0..<10).map { _ in watch.observe(1e4) }
        #expect(second == Array(repeating: false, count: 9) + [true], "the tenth consecutive batch above the limit")
        #expect(watch.losses.count == 20)
    }

    @Test func aShortEpochDivergesWhenEveryBatchIsAboveTheLimit() {
        var watch = Self.watch(batches: 3)
        let diverging = (0..<3).map { _ in watch.observe(100) }
        #expect(diverging == [false, false, true])
        var healthy = Self.watch(batches: 3)
        let outcomes = [2.3, 100, 100].map { healthy.observe($0) }
        #expect(!outcomes.contains(true), "the untrained first batch is below")
    }

    @Test func theHistoryShowsTheFirstThreeAndTheLastTenLosses() {
        var watch = Self.watch()
        for loss in [2.31, 345, 6185] + Array(repeating: 5e4, count: 10) as [Float] { _ = watch.observe(loss) }
        #expect(watch.history == "loss history of the epoch (13 batches): 2.31, 345, 6185, "
            + Array(repeating: "50000", count: 10).joined(separator: ", "))
        _ = watch.observe(58127)
        #expect(watch.history.hasPrefix("loss history of the epoch (14 batches): 2.31, 345, 6185, …, 50000"))
        #expect(watch.history.hasSuffix(", 50000, 58127"))
        _ = watch.observe(123_456)
        #expect(watch.history.hasSuffix(", 58127, 1.23e+05"), "six digits and more in %.3g")
        #expect(watch.lossReason.hasPrefix("the training loss exceeded 23 (divergence_factor 10 × ln C"))
    }
}
