import Foundation

/// Reductions. Sums use SIMD accumulators in a fixed order (bit-reproducible for a given shape).
extension Tensor {
    /// Σ of all elements.
    public func sum() -> Float { VectorKernels.sum(pointer, count) }

    /// Mean of all elements.
    public func mean() -> Float { count == 0 ? 0 : sum() / Float(count) }

    /// Σ self·other over all elements.
    public func dot(_ other: Tensor) throws(TensorError) -> Float {
        try checkSameShape(as: other, "dot")
        return VectorKernels.dot(pointer, other.pointer, count)
    }

    /// Euclidean norm of all elements.
    public func norm() -> Float { VectorKernels.dot(pointer, pointer, count).squareRoot() }

    /// Sum over `axes`; the result keeps the other axes in order (a rank-0 result has shape []).
    public func sum(alongAxes axes: Set<Int>) throws(TensorError) -> Tensor {
        guard axes.allSatisfy({ (0..<rank).contains($0) }) else {
            throw .invalidShape(operation: "sum(alongAxes: \(axes.sorted()))", shape: shape, reason: "axis out of range")
        }
        let kept = (0..<rank).filter { !axes.contains($0) }
        let result = Tensor(zeros: kept.map { shape[$0] })
        // Output stride of every input axis (0 for reduced axes).
        var outputStride = [Int](repeating: 0, count: rank)
        var stride = 1
        for axis in kept.reversed() {
            outputStride[axis] = stride
            stride *= shape[axis]
        }
        var index = [Int](repeating: 0, count: rank)
        var outputOffset = 0
        let source = pointer, target = result.pointer
        for flat in 0..<count {
            target[outputOffset] += source[flat]
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                outputOffset += outputStride[axis]
                if index[axis] < shape[axis] { break }
                outputOffset -= outputStride[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// Mean over `axes`.
    public func mean(alongAxes axes: Set<Int>) throws(TensorError) -> Tensor {
        let result = try sum(alongAxes: axes)
        let n = axes.reduce(1) { $0 * shape[$1] }
        if n > 0 { result.scale(by: 1 / Float(n)) }
        return result
    }

    /// Index of the largest element of each row of a rank-2 tensor (first index on ties).
    public func argmaxRows() throws(TensorError) -> [Int] {
        guard rank == 2 else { throw .invalidShape(operation: "argmaxRows", shape: shape, reason: "expected rank 2") }
        let columns = shape[1]
        guard columns > 0 else { throw .invalidShape(operation: "argmaxRows", shape: shape, reason: "rows are empty") }
        return (0..<shape[0]).map { row in
            let r = pointer + row * columns
            var best = 0
            for j in 1..<columns where r[j] > r[best] { best = j }
            return best
        }
    }

    /// log-softmax of each row of a rank-2 tensor, computed stably as x − max − log Σ exp(x − max).
    public func logSoftmaxRows() throws(TensorError) -> Tensor {
        let result = Tensor(zeros: shape)
        try logSoftmaxRows(into: result)
        return result
    }

    /// `logSoftmaxRows()` written into `result` (of this shape; it may not be this tensor).
    public func logSoftmaxRows(into result: Tensor) throws(TensorError) {
        guard rank == 2 else { throw .invalidShape(operation: "logSoftmaxRows", shape: shape, reason: "expected rank 2") }
        try result.checkShape(shape, "logSoftmaxRows result")
        let columns = shape[1]
        for row in 0..<shape[0] {
            let x = pointer + row * columns, y = result.pointer + row * columns
            var maximum = -Float.infinity
            for j in 0..<columns { maximum = max(maximum, x[j]) }
            var total: Float = 0
            for j in 0..<columns { total += expf(x[j] - maximum) }
            let shift = maximum + logf(total)
            for j in 0..<columns { y[j] = x[j] - shift }
        }
    }
}
