import Tensor

/// A tensor of draws from U[−1, 1) (exact in Float64 too).
func randomTensor(_ shape: [Int], _ generator: inout RandomGenerator) -> Tensor {
    let t = Tensor(zeros: shape)
    t.fillUniform(-1..<1, using: &generator)
    return t
}
