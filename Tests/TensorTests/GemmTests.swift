import Tensor
import TestSupport
import Testing

/// `Tensor.gemm` against a naive Float64 product: c = alpha·op(a)·op(b) + beta·c.
@Suite struct GemmTests {
    /// Relative error (see Reference.swift) of the Float32 product against Float64.
    static let tolerance = 1e-5

    /// Element [i, j] of op(t) for a 2-d matrix, or of batch entry `batch` for a 3-d one.
    static func element(_ t: Tensor, transposed: Bool, batch: Int, _ i: Int, _ j: Int) -> Double {
        let (r, c) = transposed ? (j, i) : (i, j)
        return Double(t.rank == 3 ? t[batch, r, c] : t[r, c])
    }

    static func naive(_ a: Tensor, _ ta: Bool, _ b: Tensor, _ tb: Bool, c: Tensor, alpha: Double, beta: Double) -> [Double] {
        let batches = c.rank == 3 ? c.shape[0] : 1
        let m = c.shape[c.rank - 2], n = c.shape[c.rank - 1]
        let k = ta ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let before = doubles(c)
        var result: [Double] = []
        for batch in 0..<batches {
            for i in 0..<m {
                for j in 0..<n {
                    var sum: Double = 0
                    for l in 0..<k {
                        sum += element(a, transposed: ta, batch: batch, i, l) * element(b, transposed: tb, batch: batch, l, j)
                    }
                    result.append(alpha * sum + beta * before[(batch * m + i) * n + j])
                }
            }
        }
        return result
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let batchA, batchB, batchC: Int?
        let transposeA, transposeB: Bool
        var testDescription: String {
            "a\(batchA.map { "[\($0)]" } ?? "")\(transposeA ? "ᵀ" : "") · b\(batchB.map { "[\($0)]" } ?? "")"
                + "\(transposeB ? "ᵀ" : "") → c\(batchC.map { "[\($0)]" } ?? "")"
        }
    }

    static let cases: [Case] = [false, true].flatMap { ta in
        [false, true].flatMap { tb in
            [Case(batchA: nil, batchB: nil, batchC: nil, transposeA: ta, transposeB: tb),
             Case(batchA: 3, batchB: 3, batchC: 3, transposeA: ta, transposeB: tb),
             Case(batchA: nil, batchB: 3, batchC: 3, transposeA: ta, transposeB: tb),
             Case(batchA: 3, batchB: nil, batchC: 3, transposeA: ta, transposeB: tb)]
        }
    }

    @Test(arguments: cases)
    func matchesFloat64Product(_ c: Case) throws {
        let m = 5, n = 7, k = 9
        var generator = RandomGenerator(seed: 31)
        func shape(_ batch: Int?, _ rows: Int, _ cols: Int) -> [Int] { (batch.map { [$0] } ?? []) + [rows, cols] }
        let a = randomTensor(shape(c.batchA, c.transposeA ? k : m, c.transposeA ? m : k), &generator)
        let b = randomTensor(shape(c.batchB, c.transposeB ? n : k, c.transposeB ? k : n), &generator)
        for (alpha, beta) in [(Float(1), Float(0)), (0.75, -0.5)] {
            let out = randomTensor(shape(c.batchC, m, n), &generator)
            let expected = Self.naive(a, c.transposeA, b, c.transposeB, c: out, alpha: Double(alpha), beta: Double(beta))
            try Tensor.gemm(a, transposed: c.transposeA, b, transposed: c.transposeB, into: out, alpha: alpha, beta: beta)
            #expect(relativeError(doubles(out), expected) <= Self.tolerance, "alpha \(alpha) beta \(beta)")
        }
    }

    @Test func rejectsMismatchedShapes() {
        let a = Tensor(zeros: [2, 3]), b = Tensor(zeros: [4, 5])
        #expect(throws: TensorError.shapeMismatch(operation: "gemm inner dimension", lhs: [2, 3], rhs: [4, 5])) {
            try Tensor.gemm(a, b, into: Tensor(zeros: [2, 5]))
        }
        #expect(throws: TensorError.shapeMismatch(operation: "gemm output", lhs: [3, 5], rhs: [2, 5])) {
            try Tensor.gemm(a, Tensor(zeros: [3, 5]), into: Tensor(zeros: [3, 5]))
        }
        #expect(throws: TensorError.shapeMismatch(operation: "gemm batch", lhs: [2, 2, 3], rhs: [3, 2, 5])) {
            try Tensor.gemm(Tensor(zeros: [2, 2, 3]), Tensor(zeros: [3, 5]), into: Tensor(zeros: [3, 2, 5]))
        }
    }
}
