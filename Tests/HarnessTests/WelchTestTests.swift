import Foundation
@testable import Harness
import Testing

/// Welch's test against closed forms of Student's t (ν = 1: Cauchy, ν = 2) and, for a fractional
/// ν, against a Simpson integration of the t density in Float64.
@Suite struct WelchTestTests {
    @Test(arguments: [0.0, 0.3, 1.0, 2.5, 12.0])
    func pValueOfOneDegreeOfFreedomIsTheCauchyTail(t: Double) {
        let expected = 1 - 2 / Double.pi * atan(t)
        #expect(abs(StudentT.twoSidedP(t: t, degreesOfFreedom: 1) - expected) <= 1e-12)
    }

    @Test(arguments: [0.0, 0.5, 1.7, 4.0, 30.0])
    func pValueOfTwoDegreesOfFreedomHasAClosedForm(t: Double) {
        let expected = 1 - t / (2 + t * t).squareRoot()
        #expect(abs(StudentT.twoSidedP(t: t, degreesOfFreedom: 2) - expected) <= 1e-12)
    }

    /// x̄ = 2 and 5.5, s² = 1 and 5/3: t = −3.5/√0.75, ν = 0.5625 / (1/18 + 25/432) = 4.9592…
    @Test func unequalSamplesMatchTheTDensityIntegrated() throws {
        let test = try #require(WelchTest([1, 2, 3], [4, 5, 6, 7]))
        #expect(abs(test.t - (-3.5 / 0.75.squareRoot())) <= 1e-12)
        #expect(abs(test.degreesOfFreedom - 0.5625 / (1.0 / 18 + 25.0 / 432)) <= 1e-12)
        #expect(abs(test.pValue - simpsonTwoSidedP(t: test.t, nu: test.degreesOfFreedom)) <= 1e-9, "\(test)")
        #expect(test.pValue > 0.005 && test.pValue < 0.02, "a clear difference of three and four values")
    }

    @Test func symmetricInItsSamplesAndNilWithoutVariance() throws {
        let forward = try #require(WelchTest([98.9, 99.1, 99.0], [98.0, 98.4, 98.1, 97.9]))
        let backward = try #require(WelchTest([98.0, 98.4, 98.1, 97.9], [98.9, 99.1, 99.0]))
        #expect(forward.t == -backward.t && forward.pValue == backward.pValue)
        #expect(WelchTest([1, 1, 1], [2, 2, 2]) == nil)
        #expect(WelchTest([1], [2, 3, 4]) == nil)
    }

    /// P(|T| ≥ |t|) = 1 − 2 ∫₀^|t| f(x) dx with f the Student-t density, by composite Simpson.
    private func simpsonTwoSidedP(t: Double, nu: Double) -> Double {
        let norm = exp(lgamma((nu + 1) / 2) - lgamma(nu / 2)) / (nu * Double.pi).squareRoot()
        func density(_ x: Double) -> Double { norm * pow(1 + x * x / nu, -(nu + 1) / 2) }
        let n = 20_000, h = abs(t) / Double(n)
        var sum = density(0) + density(abs(t))
        for i in 1..<n { sum += (i % 2 == 1 ? 4 : 2) * density(Double(i) * h) }
        return 1 - 2 * sum * h / 3
    }
}
