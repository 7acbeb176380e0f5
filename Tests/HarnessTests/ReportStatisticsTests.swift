@testable import Harness
import Testing

/// The report's statistics against values computed independently (SciPy 1.17: `stats.t.ppf`,
/// `stats.binomtest`; the Wilson formula evaluated in Python; binomial sums by hand).
@Suite struct ReportStatisticsTests {
    /// t₀.₉₇₅ for ν = 1, 2, 4, 30 (scipy.stats.t.ppf(0.975, ν)).
    @Test(arguments: [(1.0, 12.706204736174694), (2.0, 4.302652729749462), (4.0, 2.7764451051977934),
                      (30.0, 2.0422724563012378)])
    func criticalValuesOfStudentsT(_ nu: Double, _ expected: Double) {
        #expect(abs(StudentT.criticalValue(confidence: 0.95, degreesOfFreedom: nu) - expected) <= 1e-9 * expected)
    }

    /// 95 % of 10,000 samples at 89.93 %: [0.893248, 0.905046]; 90 of 100: [0.825634, 0.944771];
    /// 0 of 20 keeps a positive upper bound; 100 % a lower bound below 1.
    @Test func wilsonIntervals() throws {
        let large = try #require(WilsonInterval(accuracy: 0.8993, samples: 10_000))
        #expect(abs(large.low - 0.8932476683023729) <= 1e-12 && abs(large.high - 0.9050456705988048) <= 1e-12)
        let small = try #require(WilsonInterval(accuracy: 0.9, samples: 100))
        #expect(abs(small.low - 0.8256343384950865) <= 1e-12 && abs(small.high - 0.9447708629393249) <= 1e-12)
        let none = try #require(WilsonInterval(accuracy: 0, samples: 20))
        #expect(none.low == 0 && abs(none.high - 0.16112515805281938) <= 1e-12)
        let all = try #require(WilsonInterval(accuracy: 1, samples: 20))
        #expect(all.high == 1 && abs(all.low - 0.8388748419471806) <= 1e-12)
        #expect(WilsonInterval(accuracy: 0.5, samples: 0) == nil)
    }

    /// Exact two-sided McNemar: 10 : 0 → 2/2¹⁰; 3 : 7 → 2·Σ_{i≤3} C(10, i)/2¹⁰ = 0.34375; equal
    /// splits → 1; 600 : 500 (large n, in logarithms) → 0.002820 (scipy.stats.binomtest).
    @Test func mcNemarExactPValues() throws {
        #expect(abs(McNemarTest.exactTwoSidedP(10, 0) - 2.0 / 1024) <= 1e-15)
        #expect(abs(McNemarTest.exactTwoSidedP(3, 7) - 0.34375) <= 1e-12)
        #expect(McNemarTest.exactTwoSidedP(5, 5) == 1 && McNemarTest.exactTwoSidedP(0, 0) == 1)
        #expect(abs(McNemarTest.exactTwoSidedP(600, 500) - 0.0028195449914364284) <= 1e-9)
        let test = try #require(McNemarTest(first: [true, true, false, true], second: [false, true, true, false]))
        #expect(test.onlyFirst == 2 && test.onlySecond == 1)
        #expect(McNemarTest(first: [true], second: [true, false]) == nil)
    }

    /// Holm: sorted p 0.01, 0.02, 0.04 of m = 3 → 0.03, 0.04, 0.04 (monotone), in the input's order.
    @Test func holmAdjustsInOrderAndStaysMonotone() {
        let adjusted = HolmCorrection.adjusted([0.04, 0.01, 0.02])
        let expected = [0.04, 0.03, 0.04]
        #expect(zip(adjusted, expected).allSatisfy { abs($0 - $1) <= 1e-15 }, "\(adjusted)")
        #expect(HolmCorrection.adjusted([0.5, 0.9]) == [1, 1])
        #expect(HolmCorrection.adjusted([]).isEmpty)
    }
}
