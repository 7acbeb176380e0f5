/// In-place element-wise operations. Each writes into `self` (a handle, see `Tensor`) and checks
/// that operands have exactly `self`'s shape.
extension Tensor {
    public func fill(_ value: Float) {
        VectorKernels.fill(pointer, count, value)
    }

    /// self = other (element-wise copy)
    public func assign(_ other: Tensor) throws(TensorError) {
        try checkSameShape(as: other, "assign")
        pointer.update(from: other.pointer, count: count)
    }

    /// self += other
    public func add(_ other: Tensor) throws(TensorError) {
        try checkSameShape(as: other, "add")
        VectorKernels.add(pointer, other.pointer, count)
    }

    /// self += alpha · other (BLAS axpy semantics)
    public func add(_ other: Tensor, scaledBy alpha: Float) throws(TensorError) {
        try checkSameShape(as: other, "axpy")
        VectorKernels.axpy(pointer, alpha, other.pointer, count)
    }

    /// self *= alpha
    public func scale(by alpha: Float) {
        VectorKernels.scale(pointer, alpha, count)
    }

    /// self *= other (element-wise)
    public func multiply(by other: Tensor) throws(TensorError) {
        try checkSameShape(as: other, "multiply")
        VectorKernels.multiply(pointer, other.pointer, count)
    }

    /// self = min(max(self, lower), upper)
    public func clamp(to range: ClosedRange<Float>) {
        VectorKernels.clamp(pointer, count, range.lowerBound, range.upperBound)
    }

    /// self = 1 where source ≥ threshold, else 0 (spike generation, spec §2.1).
    public func assignHeaviside(of source: Tensor, threshold: Float) throws(TensorError) {
        try checkSameShape(as: source, "heaviside")
        VectorKernels.heaviside(pointer, source.pointer, count, threshold: threshold)
    }

    /// Whether every element is finite (no NaN or infinity).
    public var isFinite: Bool { VectorKernels.allFinite(pointer, count) }
}
