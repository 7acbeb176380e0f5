import Tensor

/// Float64 helpers for the naive references of the Layers tests.
enum DoubleReference {
    /// `count` draws from U[−scale, scale).
    static func uniform(_ count: Int, scale: Double = 1, using generator: inout RandomGenerator) -> [Double] {
        (0..<count).map { _ in Double(generator.nextUniform(in: -1..<1)) * scale }
    }

    /// A Float32 tensor holding `values` rounded to Float.
    static func tensor(_ values: [Double], shape: [Int]) throws -> Tensor {
        try Tensor(shape: shape, values: values.map { Float($0) })
    }

    /// The elements of `tensor` widened to Double.
    static func values(_ tensor: Tensor) -> [Double] { tensor.scalars.map(Double.init) }

    /// max |a − b|.
    static func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "comparing \(a.count) with \(b.count) values")
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
}
