import Foundation
import Tensor

/// The machine's reference rate: a square 1024² sgemm on uniform data, the product every
/// benchmark's GFLOP/s is compared with.
struct ReferenceProduct {
    static let size = 1024
    let name = "sgemm \(size)×\(size)×\(size)"
    /// 2·n³.
    let flops = 2 * pow(Double(size), 3)
    private let a: Tensor, b: Tensor, c: Tensor

    init(using generator: inout RandomGenerator) {
        let n = Self.size
        a = Tensor(zeros: [n, n])
        b = Tensor(zeros: [n, n])
        c = Tensor(zeros: [n, n])
        a.fillUniform(-1..<1, using: &generator)
        b.fillUniform(-1..<1, using: &generator)
    }

    /// One product C = A·B with the current OpenBLAS thread count.
    func run() {
        let n = Self.size
        BLAS.gemm(m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n, c: c.pointer, ldc: n)
    }
}
