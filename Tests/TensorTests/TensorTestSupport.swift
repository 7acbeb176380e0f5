import Tensor

/// Test data and error bounds shared by the Tensor tests.
enum TensorTestSupport {
    /// Unit roundoff of Float32, u = 2⁻²⁴ (half of `Float.ulpOfOne`).
    static let unitRoundoff = Double(Float.ulpOfOne) / 2

    /// γₖ = k·u / (1 − k·u): the classical bound on the relative error of k successive roundings
    /// (Higham, Accuracy and Stability of Numerical Algorithms, §3.1).
    static func gamma(_ k: Int) -> Double {
        Double(k) * unitRoundoff / (1 - Double(k) * unitRoundoff)
    }

    /// `count` values uniform in `range`, reproducible from `seed`.
    static func values(_ count: Int, in range: Range<Float> = -1..<1, seed: UInt64) -> [Float] {
        var generator = RandomGenerator(seed: seed)
        return (0..<count).map { _ in generator.nextUniform(in: range) }
    }

    /// `count` small integers in -8...8: sums and products of these are exact in Float32 as long as
    /// they stay below 2²⁴, so kernels must reproduce Float64 results bit for bit.
    static func integers(_ count: Int, seed: UInt64) -> [Float] {
        var generator = RandomGenerator(seed: seed)
        return (0..<count).map { _ in Float(generator.nextInt(below: 17) - 8) }
    }

    /// A view of `values` that starts one element into its storage (an unaligned start, as a batch
    /// chunk has), preceded by a sentinel element the kernels must not touch.
    static func offsetView(_ values: [Float], sentinel: Float) throws -> (storage: Tensor, view: Tensor) {
        let storage = try Tensor(shape: [values.count + 1], values: [sentinel] + values)
        return (storage, try storage.batch(1..<(values.count + 1)))
    }
}
