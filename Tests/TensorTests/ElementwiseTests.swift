import Testing
import Tensor

/// Element-wise kernels against naive Float64 loops.
///
/// A kernel that performs one IEEE operation per element (+, ×, min/max, comparison, copy) must
/// equal the Float64 result rounded to Float32 *exactly*: Float64 carries more than 2·24 + 2
/// significand bits, so rounding first to Float64 and then to Float32 gives the correctly rounded
/// Float32 result. Sizes cover a single element, odd lengths below and above the vector width, and
/// long loops with a remainder, so vector bodies and scalar tails are both exercised. Every kernel
/// also runs on a view that starts one element into its storage, with a sentinel before it that
/// must stay untouched.
@Suite struct ElementwiseTests {
    static let sizes = [1, 7, 8, 33, 64, 65, 1000]

    /// Runs `kernel` on an aligned tensor and on an offset view holding `values`; returns both
    /// results and checks that the sentinel before the view was not written.
    private func results(_ values: [Float], _ kernel: (Tensor) throws -> Void,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> [[Float]] {
        let aligned = try Tensor(shape: [values.count], values: values)
        try kernel(aligned)
        let (storage, view) = try TensorTestSupport.offsetView(values, sentinel: -77)
        try kernel(view)
        #expect(storage[0] == -77, "kernel wrote before its view", sourceLocation: sourceLocation)
        return [aligned.scalars, view.scalars]
    }

    @Test(arguments: sizes)
    func fill(_ n: Int) throws {
        for result in try results(TensorTestSupport.values(n, seed: 1), { $0.fill(3.25) }) {
            #expect(result == [Float](repeating: 3.25, count: n))
        }
    }

    @Test(arguments: sizes)
    func assign(_ n: Int) throws {
        let source = TensorTestSupport.values(n, seed: 2)
        let other = try Tensor(shape: [n], values: source)
        for result in try results(TensorTestSupport.values(n, seed: 3), { try $0.assign(other) }) {
            #expect(result == source)
        }
    }

    @Test(arguments: sizes)
    func add(_ n: Int) throws {
        let y = TensorTestSupport.values(n, seed: 4), x = TensorTestSupport.values(n, in: -1000..<1000, seed: 5)
        let other = try Tensor(shape: [n], values: x)
        let expected = (0..<n).map { Float(Double(y[$0]) + Double(x[$0])) }
        for result in try results(y, { try $0.add(other) }) { #expect(result == expected) }
    }

    @Test(arguments: sizes)
    func multiply(_ n: Int) throws {
        let y = TensorTestSupport.values(n, seed: 6), x = TensorTestSupport.values(n, in: -50..<50, seed: 7)
        let other = try Tensor(shape: [n], values: x)
        let expected = (0..<n).map { Float(Double(y[$0]) * Double(x[$0])) }
        for result in try results(y, { try $0.multiply(by: other) }) { #expect(result == expected) }
    }

    @Test(arguments: sizes)
    func scale(_ n: Int) throws {
        let y = TensorTestSupport.values(n, seed: 8)
        let alpha: Float = -0.3
        let expected = y.map { Float(Double($0) * Double(alpha)) }
        for result in try results(y, { $0.scale(by: alpha) }) { #expect(result == expected) }
    }

    /// y + α·x rounds twice (the product, then the sum), so it may differ from the exact value by
    /// u·|y + αx| + u·|αx|(1 + u) with u = 2⁻²⁴; the tolerance is that bound.
    @Test(arguments: sizes)
    func addScaled(_ n: Int) throws {
        let y = TensorTestSupport.values(n, seed: 9), x = TensorTestSupport.values(n, in: -4..<4, seed: 10)
        let alpha: Float = 0.7
        let other = try Tensor(shape: [n], values: x)
        let u = TensorTestSupport.unitRoundoff
        for result in try results(y, { try $0.add(other, scaledBy: alpha) }) {
            for i in 0..<n {
                let product = Double(alpha) * Double(x[i]), exact = Double(y[i]) + product
                let bound = u * abs(exact) + u * abs(product) * (1 + u)
                #expect(abs(Double(result[i]) - exact) <= bound, "element \(i)")
            }
        }
    }

    /// y = α·y + x, the kernel behind leaky integration; same two-rounding bound as `addScaled`.
    @Test(arguments: sizes)
    func scaleAndAdd(_ n: Int) throws {
        let y0 = TensorTestSupport.values(n, seed: 11), x = TensorTestSupport.values(n, seed: 12)
        let alpha: Float = 0.9
        var y = y0
        y.withUnsafeMutableBufferPointer { yp in
            x.withUnsafeBufferPointer { VectorKernels.scaleAndAdd(yp.baseAddress!, alpha, $0.baseAddress!, n) }
        }
        let u = TensorTestSupport.unitRoundoff
        for i in 0..<n {
            let product = Double(alpha) * Double(y0[i]), exact = product + Double(x[i])
            #expect(abs(Double(y[i]) - exact) <= u * abs(exact) + u * abs(product) * (1 + u), "element \(i)")
        }
    }

    @Test(arguments: sizes)
    func clamp(_ n: Int) throws {
        let y = TensorTestSupport.values(n, in: -3..<3, seed: 13)
        let expected = y.map { Swift.min(Swift.max($0, -1), 0.5) }
        for result in try results(y, { $0.clamp(to: -1...0.5) }) { #expect(result == expected) }
    }

    @Test func clampKeepsBoundsAndInfinitiesAndPropagatesNaN() throws {
        let t = try Tensor(shape: [6], values: [-1, 0.5, -.infinity, .infinity, .nan, 0])
        t.clamp(to: -1...0.5)
        let r = t.scalars
        #expect(Array(r[0..<4]) == [-1, 0.5, -1, 0.5])
        // A NaN must survive so that `isFinite` still reports a diverged state after clamping.
        #expect(r[4].isNaN)
        #expect(r[5] == 0)
        t.clamp(to: 2...2)
        #expect(t[0] == 2 && t[5] == 2)
    }

    /// Heaviside with "≥": an input exactly at the threshold spikes, the next Float below does not.
    @Test(arguments: sizes)
    func heaviside(_ n: Int) throws {
        let threshold: Float = 0.25
        var x = TensorTestSupport.values(n, seed: 14)
        for i in stride(from: 0, to: n, by: 3) { x[i] = threshold }
        for i in stride(from: 1, to: n, by: 3) { x[i] = threshold.nextDown }
        let source = try Tensor(shape: [n], values: x)
        let expected = x.map { $0 >= threshold ? Float(1) : 0 }
        #expect(expected[0] == 1)
        for result in try results(TensorTestSupport.values(n, seed: 15), {
            try $0.assignHeaviside(of: source, threshold: threshold)
        }) {
            #expect(result == expected)
        }
    }

    @Test func heavisideOfSpecialValues() throws {
        let source = try Tensor(shape: [5], values: [.infinity, -.infinity, .nan, 0, -0.0])
        let spikes = Tensor(zeros: [5])
        try spikes.assignHeaviside(of: source, threshold: 0)
        #expect(spikes.scalars == [1, 0, 0, 1, 1])
    }

    @Test(arguments: sizes)
    func isFinite(_ n: Int) throws {
        let values = TensorTestSupport.values(n, in: -1e30..<1e30, seed: 16)
        #expect(try Tensor(shape: [n], values: values).isFinite)
        for position in Set([0, n / 2, n - 1]) {
            for bad in [Float.nan, .infinity, -.infinity] {
                var corrupted = values
                corrupted[position] = bad
                #expect(try !Tensor(shape: [n], values: corrupted).isFinite, "\(bad) at \(position)")
            }
        }
        #expect(Tensor(zeros: [0]).isFinite)
    }

    @Test func kernelsOnEmptyTensorsDoNothing() throws {
        let empty = Tensor(zeros: [0, 3])
        empty.fill(1)
        empty.scale(by: 2)
        empty.clamp(to: 0...1)
        try empty.add(empty)
        try empty.add(empty, scaledBy: 3)
        try empty.multiply(by: empty)
        try empty.assign(empty)
        try empty.assignHeaviside(of: empty, threshold: 0)
        #expect(empty.scalars.isEmpty)
    }

    /// An operand may be the target itself (x += x, x *= x).
    @Test func aliasedOperands() throws {
        let t = try Tensor(shape: [5], values: [1, -2, 3, 0.5, 7])
        try t.add(t)
        #expect(t.scalars == [2, -4, 6, 1, 14])
        try t.multiply(by: t)
        #expect(t.scalars == [4, 16, 36, 1, 196])
        try t.assignHeaviside(of: t, threshold: 16)
        #expect(t.scalars == [0, 1, 1, 0, 1])
    }
}
