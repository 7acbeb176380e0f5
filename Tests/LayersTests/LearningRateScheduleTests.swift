import Foundation
import Testing
import Layers

@Suite("LearningRateSchedule")
struct LearningRateScheduleTests {
    /// ×0.1 at epochs 30, 60, 90 (spec §7, MNIST): a milestone applies from the start of that
    /// 0-based epoch.
    @Test func multiStepValuesAtMilestones() throws {
        let schedule = try LearningRateSchedule(baseLearningRate: 0.05, milestones: [30, 60, 90], gamma: 0.1)
        let expected: [(epoch: Int, rate: Float)] = [(0, 0.05), (29, 0.05), (30, 0.005), (59, 0.005), (60, 0.0005),
                                                     (89, 0.0005), (90, 0.00005), (99, 0.00005)]
        for (epoch, rate) in expected {
            let actual = schedule.learningRate(epoch: epoch, iteration: 100_000)
            #expect(abs(actual - rate) <= 1e-6 * rate, "epoch \(epoch)")
        }
    }

    /// CIFAR (spec §7): 400-iteration warm-up lr·(i + 1)/400, combined with ×0.1 at epochs 50, 75.
    @Test func warmupRampsLinearlyAndCombinesWithMilestones() throws {
        let schedule = try LearningRateSchedule(baseLearningRate: 0.05, milestones: [50, 75], gamma: 0.1, warmupIterations: 400)
        let expected: [(epoch: Int, iteration: Int, rate: Float)] = [
            (0, 0, 0.05 / 400), (0, 1, 0.05 * 2 / 400), (0, 199, 0.025), (0, 390, 0.05 * 391 / 400),
            (1, 391, 0.05 * 392 / 400), (1, 399, 0.05), (1, 400, 0.05), (49, 19_000, 0.05), (50, 19_550, 0.005),
            (75, 30_000, 0.0005), (50, 100, 0.005 * 101 / 400),
        ]
        for (epoch, iteration, rate) in expected {
            let actual = schedule.learningRate(epoch: epoch, iteration: iteration)
            #expect(abs(actual - rate) <= 1e-6 * rate, "epoch \(epoch), iteration \(iteration)")
        }
        let plain = try LearningRateSchedule(baseLearningRate: 0.05)
        #expect(plain.learningRate(epoch: 0, iteration: 0) == 0.05)
    }

    /// The position advances with startEpoch / completeIteration; its state survives JSON and a
    /// restored schedule continues with the same rates.
    @Test func stateTracksPositionAndRoundTrips() throws {
        var schedule = try LearningRateSchedule(baseLearningRate: 0.1, milestones: [2], gamma: 0.5, warmupIterations: 4)
        var rates: [Float] = []
        for epoch in 0..<3 {
            schedule.startEpoch(epoch)
            for _ in 0..<3 {
                rates.append(schedule.learningRate)
                schedule.completeIteration()
            }
        }
        #expect(rates == [0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05])
        #expect(schedule.state == .init(epoch: 2, iteration: 9))

        var midway = try LearningRateSchedule(baseLearningRate: 0.1, milestones: [2], gamma: 0.5, warmupIterations: 4)
        midway.startEpoch(0)
        midway.completeIteration()
        midway.completeIteration()
        let saved = try JSONEncoder().encode(midway.state)
        var restored = try LearningRateSchedule(baseLearningRate: 0.1, milestones: [2], gamma: 0.5, warmupIterations: 4)
        try restored.restore(from: JSONDecoder().decode(LearningRateSchedule.State.self, from: saved))
        #expect(restored == midway)
        #expect(restored.learningRate == 0.075)
        #expect(throws: OptimizerError.invalidState(field: "iteration", value: -1)) {
            try restored.restore(from: .init(epoch: 0, iteration: -1))
        }
    }

    @Test func invalidSettingsAreTypedErrors() {
        #expect(throws: OptimizerError.invalidHyperparameter(name: "milestone", value: 30,
                                                             expected: "≥ 0 and above the previous milestone")) {
            try LearningRateSchedule(baseLearningRate: 0.1, milestones: [60, 30])
        }
        #expect(throws: OptimizerError.invalidHyperparameter(name: "warm-up iterations", value: -1, expected: "≥ 0")) {
            try LearningRateSchedule(baseLearningRate: 0.1, warmupIterations: -1)
        }
        #expect(throws: OptimizerError.invalidHyperparameter(name: "gamma", value: 0, expected: "> 0")) {
            try LearningRateSchedule(baseLearningRate: 0.1, gamma: 0)
        }
    }
}
