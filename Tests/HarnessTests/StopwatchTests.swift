import Harness
import Testing

@Suite struct StopwatchTests {
    @Test func medianAndBestOfRepetitions() {
        #expect(Timing(seconds: [3, 1, 2]).median == 2)
        #expect(Timing(seconds: [4, 1, 3, 2]).median == 2.5)
        #expect(Timing(seconds: [4, 1, 3, 2]).best == 1)
    }

    @Test func runsWarmupsThenTimedRepetitions() {
        var calls = 0
        let timing = Stopwatch(warmups: 2, repetitions: 3).measure { calls += 1 }
        #expect(calls == 5)
        #expect(timing.seconds.count == 3)
        #expect(timing.seconds.allSatisfy { $0 >= 0 })
    }
}
