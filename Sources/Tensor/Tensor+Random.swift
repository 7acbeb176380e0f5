/// Filling tensors with random draws, in element order (so a fill is reproducible from the
/// generator's state).
extension Tensor {
    /// Fills with draws from U[range) in element order.
    public func fillUniform(_ range: Range<Float>, using generator: inout RandomGenerator) {
        for i in 0..<count { pointer[i] = generator.nextUniform(in: range) }
    }

    /// Fills with standard-normal draws in element order.
    public func fillNormal(using generator: inout RandomGenerator) {
        for i in 0..<count { pointer[i] = generator.nextNormal() }
    }
}
