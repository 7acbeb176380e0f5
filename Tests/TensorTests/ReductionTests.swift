import Foundation
import Testing
import Tensor

/// Reductions against Float64 references.
///
/// Error bounds. A Float32 sum in which every element passes through at most d roundings has
/// |computed − exact| ≤ γ_d · Σ|xᵢ| (γ_d ≈ d·u, u = 2⁻²⁴; see `TensorTestSupport.gamma`). For n
/// elements any order has d ≤ n − 1; `VectorKernels.sum` and `dot` keep 32 accumulator lanes, so an
/// element sees at most ⌊n/32⌋ lane additions, 1 to join the two SIMD16 accumulators, 15 to reduce
/// the 16 lanes, and up to 31 tail additions: d ≤ n/32 + 47. That bound is used below because it is
/// what the kernel guarantees and it is tight enough that dropping or repeating a single element of
/// the data (values in [1, 2), relative weight ≥ 1/(2n)) fails the test. The reference is the
/// Float64 sum of the same Float32 inputs, whose own error (≤ n·2⁻⁵³ relative) is negligible.
@Suite struct ReductionTests {
    static let sizes = [1, 7, 31, 32, 33, 63, 64, 65, 1000, 4097]

    /// Roundings an element passes through in `VectorKernels.sum`/`dot` (see the suite comment).
    private func kernelDepth(_ n: Int) -> Int { n / 32 + 47 }

    @Test(arguments: sizes)
    func sumAndMeanOfPositiveValues(_ n: Int) throws {
        let x = TensorTestSupport.values(n, in: 1..<2, seed: UInt64(n))
        let t = try Tensor(shape: [n], values: x)
        let exact = x.reduce(0) { $0 + Double($1) }
        let tolerance = TensorTestSupport.gamma(kernelDepth(n))
        #expect(abs(Double(t.sum()) - exact) <= tolerance * exact)
        // The mean adds one rounding (the division; Float(n) is exact for n < 2²⁴).
        let mean = exact / Double(n)
        #expect(abs(Double(t.mean()) - mean) <= TensorTestSupport.gamma(kernelDepth(n) + 1) * mean)
    }

    /// With cancellation the bound is relative to Σ|xᵢ|, not to the (small) sum itself.
    @Test(arguments: sizes)
    func sumOfMixedSigns(_ n: Int) throws {
        let x = TensorTestSupport.values(n, in: -1..<1, seed: UInt64(100 + n))
        let exact = x.reduce(0) { $0 + Double($1) }
        let magnitude = x.reduce(0) { $0 + Double(abs($1)) }
        let t = try Tensor(shape: [n], values: x)
        #expect(abs(Double(t.sum()) - exact) <= TensorTestSupport.gamma(kernelDepth(n)) * magnitude)
    }

    /// Small integers sum and multiply exactly in Float32: any lost, repeated or misplaced element
    /// changes the result.
    @Test(arguments: sizes)
    func sumAndDotOfIntegersAreExact(_ n: Int) throws {
        let x = TensorTestSupport.integers(n, seed: UInt64(200 + n))
        let y = TensorTestSupport.integers(n, seed: UInt64(300 + n))
        let tx = try Tensor(shape: [n], values: x), ty = try Tensor(shape: [n], values: y)
        #expect(Double(tx.sum()) == x.reduce(0) { $0 + Double($1) })
        #expect(Double(try tx.dot(ty)) == zip(x, y).reduce(0) { $0 + Double($1.0) * Double($1.1) })
    }

    /// The dot product adds one rounding per product: |error| ≤ γ_{d+1} Σ|xᵢyᵢ|. The norm √(x·x)
    /// halves the relative error of the sum and adds one rounding, within γ_{d+1} of the exact norm.
    @Test(arguments: sizes)
    func dotAndNorm(_ n: Int) throws {
        let x = TensorTestSupport.values(n, in: -2..<2, seed: UInt64(400 + n))
        let y = TensorTestSupport.values(n, in: -2..<2, seed: UInt64(500 + n))
        let tx = try Tensor(shape: [n], values: x), ty = try Tensor(shape: [n], values: y)
        let exactDot = zip(x, y).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        let magnitude = zip(x, y).reduce(0) { $0 + abs(Double($1.0) * Double($1.1)) }
        let gamma = TensorTestSupport.gamma(kernelDepth(n) + 1)
        #expect(abs(Double(try tx.dot(ty)) - exactDot) <= gamma * magnitude)

        let exactNorm = x.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(Double(tx.norm()) - exactNorm) <= gamma * exactNorm)
    }

    @Test func reductionsOfEmptyTensors() throws {
        let empty = Tensor(zeros: [0])
        #expect(empty.sum() == 0)
        #expect(empty.mean() == 0)
        #expect(try empty.dot(empty) == 0)
        #expect(empty.norm() == 0)
    }

    /// Repeated calls, and the same elements seen through an unaligned view, give identical bits.
    @Test(arguments: [33, 1000, 4097])
    func reductionsAreDeterministic(_ n: Int) throws {
        let x = TensorTestSupport.values(n, seed: UInt64(600 + n))
        let t = try Tensor(shape: [n], values: x)
        let (_, view) = try TensorTestSupport.offsetView(x, sentinel: 1e30)
        let reference = [t.sum(), t.mean(), try t.dot(t), t.norm()].map(\.bitPattern)
        for _ in 0..<3 {
            #expect([t.sum(), t.mean(), try t.dot(t), t.norm()].map(\.bitPattern) == reference)
        }
        #expect([view.sum(), view.mean(), try view.dot(view), view.norm()].map(\.bitPattern) == reference)
    }

    // MARK: Reductions along axes

    static let nchw = [3, 4, 5, 6]
    static let axisSets: [Set<Int>] = [[0, 2, 3], [1], [], [0, 1, 2, 3], [0], [3], [1, 2]]

    /// Naive Float64 sums over `axes` of an NCHW tensor with values `x`, plus Σ|x| per output.
    private func naiveSums(_ x: [Float], shape: [Int], axes: Set<Int>) -> (sums: [Double], magnitudes: [Double]) {
        let kept = (0..<4).filter { !axes.contains($0) }
        let outputCount = kept.reduce(1) { $0 * shape[$1] }
        var sums = [Double](repeating: 0, count: outputCount), magnitudes = sums
        for n in 0..<shape[0] {
            for c in 0..<shape[1] {
                for h in 0..<shape[2] {
                    for w in 0..<shape[3] {
                        let index = [n, c, h, w]
                        let output = kept.reduce(0) { $0 * shape[$1] + index[$1] }
                        let value = Double(x[((n * shape[1] + c) * shape[2] + h) * shape[3] + w])
                        sums[output] += value
                        magnitudes[output] += abs(value)
                    }
                }
            }
        }
        return (sums, magnitudes)
    }

    /// `sum(alongAxes:)` accumulates each output sequentially over m = (reduced count) inputs, so
    /// |error| ≤ γ_m Σ|x| per output; the mean adds one rounding (γ_{m+1}).
    @Test(arguments: axisSets)
    func sumAndMeanAlongAxes(_ axes: Set<Int>) throws {
        let shape = Self.nchw
        let x = TensorTestSupport.values(shape.reduce(1, *), seed: 700)
        let t = try Tensor(shape: shape, values: x)
        let (sums, magnitudes) = naiveSums(x, shape: shape, axes: axes)
        let keptShape = (0..<4).filter { !axes.contains($0) }.map { shape[$0] }
        let m = axes.reduce(1) { $0 * shape[$1] }

        let sum = try t.sum(alongAxes: axes)
        #expect(sum.shape == keptShape)
        let mean = try t.mean(alongAxes: axes)
        #expect(mean.shape == keptShape)
        let (s, mu) = (sum.scalars, mean.scalars)
        #expect(s.count == sums.count)
        for i in 0..<min(s.count, sums.count) {
            #expect(abs(Double(s[i]) - sums[i]) <= TensorTestSupport.gamma(m) * magnitudes[i], "output \(i)")
            let meanBound = TensorTestSupport.gamma(m + 1) * magnitudes[i] / Double(m)
            #expect(abs(Double(mu[i]) - sums[i] / Double(m)) <= meanBound, "output \(i)")
        }
    }

    @Test(arguments: axisSets)
    func sumAlongAxesOfIntegersIsExact(_ axes: Set<Int>) throws {
        let shape = Self.nchw
        let x = TensorTestSupport.integers(shape.reduce(1, *), seed: 701)
        let sum = try Tensor(shape: shape, values: x).sum(alongAxes: axes)
        #expect(sum.scalars.map(Double.init) == naiveSums(x, shape: shape, axes: axes).sums)
    }

    @Test func reduceAlongAxesOfSmallShapes() throws {
        let scalar = try Tensor(shape: [], values: [4])
        #expect(try scalar.sum(alongAxes: []).scalars == [4])
        #expect(try Tensor(zeros: [2, 0, 3]).sum(alongAxes: [1]).scalars == [0, 0, 0, 0, 0, 0])
        #expect(try Tensor(zeros: [2, 0, 3]).sum(alongAxes: [0]).shape == [0, 3])
    }

    @Test func axesOutOfRangeNameTheShape() {
        let t = Tensor(zeros: [2, 3])
        for axes: Set<Int> in [[2], [-1], [0, 5]] {
            let error = #expect(throws: TensorError.self) { try t.mean(alongAxes: axes) }
            guard case .invalidShape(_, [2, 3], _) = error else {
                Issue.record("expected invalidShape of [2, 3], got \(String(describing: error))")
                continue
            }
            #expect(String(describing: error!).contains("[2, 3]"))
        }
    }

    // MARK: Row-wise argmax and log-softmax

    @Test func argmaxRowsMatchesNaiveLoop() throws {
        let (rows, columns) = (9, 13)
        let x = TensorTestSupport.values(rows * columns, seed: 800)
        let result = try Tensor(shape: [rows, columns], values: x).argmaxRows()
        let expected = (0..<rows).map { r in
            let row = x[r * columns..<(r + 1) * columns]
            return row.firstIndex(of: row.max()!)! - r * columns
        }
        #expect(result == expected)
    }

    @Test func argmaxRowsBreaksTiesTowardTheFirstIndex() throws {
        let t = try Tensor(shape: [4, 4], values: [
            1, 3, 3, 2,
            5, 5, 5, 5,
            -.infinity, -.infinity, -1, -1,
            0, 0, 0, 7,
        ])
        #expect(try t.argmaxRows() == [1, 0, 2, 3])
        #expect(try Tensor(shape: [2, 1], values: [4, -4]).argmaxRows() == [0, 0])
        #expect(try Tensor(zeros: [0, 5]).argmaxRows() == [])
    }

    @Test func argmaxRowsOfEmptyRowsIsAnError() {
        let error = #expect(throws: TensorError.self) { try Tensor(zeros: [3, 0]).argmaxRows() }
        guard case .invalidShape("argmaxRows", [3, 0], _) = error else {
            Issue.record("expected invalidShape of [3, 0], got \(String(describing: error))")
            return
        }
    }

    /// Float64 log-softmax of one row, xⱼ − shift with shift = max + log S and S = Σ exp(xₖ − max).
    private func naiveLogSoftmax(_ row: [Float]) -> (values: [Double], shift: Double, logS: Double) {
        let x = row.map(Double.init)
        let maximum = x.max()!
        let logS = log(x.reduce(0) { $0 + exp($1 - maximum) })
        return (x.map { $0 - (maximum + logS) }, maximum + logS, logS)
    }

    /// Error bound. The kernel computes yⱼ = fl(xⱼ − fl(max + fl(log S))) with S = Σ exp(xₖ − max).
    /// S has relative error ≤ (C + 3)·u for C columns (C − 1 additions, expf within one ulp, the
    /// rounded difference inside exp contributing |t|e⁻ᵗ·u ≤ u per term relative to S ≥ 1), which
    /// moves log S by as much; log adds u·|log S|, the shift u·|shift| and the final difference
    /// u·|yⱼ|. Hence |error| ≤ u·(|yⱼ| + |shift| + |log S| + C + 4), used with a factor 2 for the
    /// ulp-level (not half-ulp) accuracy of expf/logf.
    @Test(arguments: [
        (rows: 5, columns: 10, scale: Float(1)),
        (rows: 3, columns: 1, scale: Float(5)),
        (rows: 4, columns: 33, scale: Float(30)),
        (rows: 2, columns: 1000, scale: Float(3)),
    ])
    func logSoftmaxRowsMatchesFloat64(_ rows: Int, _ columns: Int, _ scale: Float) throws {
        let x = TensorTestSupport.values(rows * columns, in: -scale..<scale, seed: UInt64(900 + columns))
        try expectLogSoftmax(of: x, rows: rows, columns: columns)
    }

    /// Logits of 1000 would overflow exp without the max shift; the result must stay finite and
    /// accurate, also for rows of equal values and for very negative logits.
    @Test func logSoftmaxRowsIsStableForLargeLogits() throws {
        let x: [Float] = [
            1000, 999, 998, 0,
            -1000, -1001, -1003, -2000,
            1000, 1000, 1000, 1000,
            88.8, 89, 0, -89,
        ]
        try expectLogSoftmax(of: x, rows: 4, columns: 4)
        let y = try Tensor(shape: [4, 4], values: x).logSoftmaxRows()
        #expect(y.isFinite)
    }

    private func expectLogSoftmax(of x: [Float], rows: Int, columns: Int,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        let y = try Tensor(shape: [rows, columns], values: x).logSoftmaxRows()
        #expect(y.shape == [rows, columns], sourceLocation: sourceLocation)
        let u = TensorTestSupport.unitRoundoff
        for r in 0..<rows {
            let row = Array(x[r * columns..<(r + 1) * columns])
            let (expected, shift, logS) = naiveLogSoftmax(row)
            for j in 0..<columns {
                let bound = 2 * u * (abs(expected[j]) + abs(shift) + abs(logS) + Double(columns) + 4)
                #expect(abs(Double(y[r, j]) - expected[j]) <= bound, "row \(r) column \(j)", sourceLocation: sourceLocation)
            }
        }
    }
}
