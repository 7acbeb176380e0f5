import Testing
import Tensor

/// `BLAS.gemv` (y = α·op(A)·x + β·y, row-major A with a padded row stride) against a Float64 loop.
/// (`BLAS.gemm` and `Tensor.gemm` have their own tests.)
///
/// Each output is a length-k dot product plus the β term: at most k + 2 roundings per summand,
/// so |error| ≤ γ_{k+2}·(|α|·Σ|aᵢⱼxⱼ| + |β·yᵢ|), whatever order or FMA use OpenBLAS chooses.
@Suite struct GemvTests {
    @Test(arguments: [(1, 1), (7, 33), (33, 7), (64, 65)], [false, true])
    func gemvMatchesFloat64(_ shape: (m: Int, n: Int), _ transposeA: Bool) {
        let (m, n) = shape
        let lda = n + 3
        let (alpha, beta): (Float, Float) = (0.5, -0.25)
        let a = TensorTestSupport.values(m * lda, seed: UInt64(m * 100 + n))
        let (inputCount, outputCount) = transposeA ? (m, n) : (n, m)
        let x = TensorTestSupport.values(inputCount, seed: 1), y0 = TensorTestSupport.values(outputCount, seed: 2)
        var y = y0
        a.withUnsafeBufferPointer { ap in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    BLAS.gemv(transposeA: transposeA, m: m, n: n, alpha: alpha, a: ap.baseAddress!, lda: lda,
                              x: xp.baseAddress!, beta: beta, y: yp.baseAddress!)
                }
            }
        }
        for i in 0..<outputCount {
            var exact = Double(beta) * Double(y0[i]), magnitude = abs(exact)
            for j in 0..<inputCount {
                let element = Double(transposeA ? a[j * lda + i] : a[i * lda + j])
                exact += Double(alpha) * element * Double(x[j])
                magnitude += abs(Double(alpha) * element * Double(x[j]))
            }
            let bound = TensorTestSupport.gamma(inputCount + 2) * magnitude
            #expect(abs(Double(y[i]) - exact) <= bound, "output \(i)")
        }
    }

    @Test func emptyProductLeavesYUntouched() {
        var y: [Float] = [1, 2]
        let a: [Float] = [3], x: [Float] = [4]
        BLAS.gemv(m: 2, n: 0, a: a, lda: 1, x: x, y: &y)
        #expect(y == [1, 2])
    }
}
