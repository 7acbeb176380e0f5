import Testing
import Tensor
import Layers

@Suite("VariationalDropout")
struct VariationalDropoutTests {
    /// Mask values are exactly 0 or 1/(1 − p), and element i is kept iff the i-th uniform draw
    /// of the generator is < 1 − p (the documented draw order).
    @Test func maskValuesAndDrawOrder() throws {
        let dropout = try VariationalDropout(probability: 0.2)
        var generator = RandomGenerator(seed: 21)
        dropout.resample(shape: [3, 4, 5], using: &generator)
        let mask = try #require(dropout.mask)
        #expect(mask.shape == [3, 4, 5])
        var replay = RandomGenerator(seed: 21)
        let expected = (0..<60).map { _ in replay.nextUniform() < Float(1) - 0.2 ? 1 / (Float(1) - 0.2) : 0 }
        #expect(mask.scalars == expected)
        #expect(Set(mask.scalars).isSubset(of: [0, 1.25]))
        #expect(generator == replay)
    }

    /// On 10⁶ elements the dropped fraction is Binomial(10⁶, p)/10⁶ with standard deviation
    /// √(p(1 − p)/10⁶) = 4·10⁻⁴ for p = 0.2; the tolerance is 5 standard deviations (2·10⁻³).
    @Test func dropRateIsCloseToProbability() throws {
        let dropout = try VariationalDropout(probability: 0.2)
        var generator = RandomGenerator(seed: 22)
        dropout.resample(shape: [1000, 1000], using: &generator)
        let mask = try #require(dropout.mask)
        let dropped = mask.scalars.count { $0 == 0 }
        #expect(abs(Double(dropped) / 1e6 - 0.2) <= 2e-3)
    }

    /// Same seed, same mask; another seed, another mask; the mask stays until the next resample.
    @Test func reproducibleForASeedAndReusedAcrossSteps() throws {
        let a = try VariationalDropout(probability: 0.3), b = try VariationalDropout(probability: 0.3)
        var ga = RandomGenerator(seed: 23), gb = RandomGenerator(seed: 23), gc = RandomGenerator(seed: 24)
        a.resample(shape: [8, 16], using: &ga)
        b.resample(shape: [8, 16], using: &gb)
        #expect(a.mask?.scalars == b.mask?.scalars)
        let first = try #require(a.mask?.scalars)
        for _ in 0..<3 {
            let y = Tensor(repeating: 2, shape: [8, 16])
            try a.apply(y)
            #expect(y.scalars == first.map { 2 * $0 })
        }
        b.resample(shape: [8, 16], using: &gc)
        #expect(b.mask?.scalars != first)
    }

    /// apply (in place) and backward (into another tensor or in place) multiply by the same mask.
    @Test func applyAndBackwardMultiplyByTheMask() throws {
        let dropout = try VariationalDropout(probability: 0.5)
        var generator = RandomGenerator(seed: 25)
        dropout.resample(shape: [4, 6], using: &generator)
        let mask = try #require(dropout.mask).scalars
        let y = Tensor(zeros: [4, 6]), g = Tensor(zeros: [4, 6])
        y.fillUniform(-1..<1, using: &generator)
        g.fillUniform(-1..<1, using: &generator)
        let (y0, g0) = (y.scalars, g.scalars)
        try dropout.apply(y)
        let dx = Tensor(zeros: [4, 6])
        try dropout.backward(outputGradient: g, inputGradient: dx)
        #expect(g.scalars == g0)
        try dropout.backward(outputGradient: g, inputGradient: g)
        #expect(y.scalars == zip(y0, mask).map { $0 * $1 })
        #expect(g.scalars == zip(g0, mask).map { $0 * $1 })
        #expect(dx.scalars == g.scalars)
        #expect(mask.contains(0) && mask.contains(2))
    }

    /// Before the first resample, after deactivate() and with p = 0, apply is the identity (for
    /// any shape) and p = 0 consumes no draws.
    @Test func inactiveIsTheIdentity() throws {
        var generator = RandomGenerator(seed: 26)
        let y = Tensor(zeros: [5, 7])
        y.fillUniform(-1..<1, using: &generator)
        let original = y.scalars

        let fresh = try VariationalDropout()
        #expect(fresh.probability == 0.2 && !fresh.isActive)
        try fresh.apply(y)

        let deactivated = try VariationalDropout(probability: 0.4)
        deactivated.resample(shape: [2, 2], using: &generator)
        #expect(deactivated.isActive)
        deactivated.deactivate()
        try deactivated.apply(y)

        let zero = try VariationalDropout(probability: 0)
        let before = generator
        zero.resample(shape: [5, 7], using: &generator)
        #expect(generator == before && !zero.isActive)
        try zero.apply(y)
        try zero.backward(outputGradient: y, inputGradient: y)

        #expect(y.scalars == original)
    }

    @Test func errorsAreTyped() throws {
        #expect(throws: VariationalDropoutError.invalidProbability(1)) { try VariationalDropout(probability: 1) }
        #expect(throws: VariationalDropoutError.invalidProbability(-0.1)) { try VariationalDropout(probability: -0.1) }
        let dropout = try VariationalDropout(probability: 0.2)
        var generator = RandomGenerator(seed: 27)
        dropout.resample(shape: [2, 3], using: &generator)
        #expect(throws: VariationalDropoutError.shapeMismatch(mask: [2, 3], tensor: [3, 2])) {
            try dropout.apply(Tensor(zeros: [3, 2]))
        }
    }
}
