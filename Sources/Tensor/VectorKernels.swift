/// Pointer-level element loops shared by `Tensor`'s methods and by the hot loops of the layers and
/// the simulator. Plain loops auto-vectorise; reductions use explicit SIMD accumulators because
/// strict Float ordering blocks vectorisation (see the README's Performance notes). All
/// reductions visit elements in a fixed order, so results are bit-reproducible.
public enum VectorKernels {
    @inlinable
    public static func fill(_ y: UnsafeMutablePointer<Float>, _ n: Int, _ value: Float) {
        for i in 0..<n { y[i] = value }
    }

    /// y += x
    @inlinable
    public static func add(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] += x[i] }
    }

    /// y += alpha · x
    @inlinable
    public static func axpy(_ y: UnsafeMutablePointer<Float>, _ alpha: Float, _ x: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] += alpha * x[i] }
    }

    /// y = alpha · y + x
    @inlinable
    public static func scaleAndAdd(_ y: UnsafeMutablePointer<Float>, _ alpha: Float, _ x: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] = alpha * y[i] + x[i] }
    }

    /// y *= alpha
    @inlinable
    public static func scale(_ y: UnsafeMutablePointer<Float>, _ alpha: Float, _ n: Int) {
        for i in 0..<n { y[i] *= alpha }
    }

    /// y *= x (element-wise)
    @inlinable
    public static func multiply(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] *= x[i] }
    }

    /// y = min(max(y, lower), upper)
    @inlinable
    public static func clamp(_ y: UnsafeMutablePointer<Float>, _ n: Int, _ lower: Float, _ upper: Float) {
        for i in 0..<n { y[i] = Swift.min(Swift.max(y[i], lower), upper) }
    }

    /// s = 1 where x ≥ threshold, else 0 (Heaviside with "≥", spec §2).
    @inlinable
    public static func heaviside(_ s: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, threshold: Float) {
        for i in 0..<n { s[i] = x[i] >= threshold ? 1 : 0 }
    }

    /// Σ x
    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= n {
            a0 += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            a1 += UnsafeRawPointer(x + i + 16).loadUnaligned(as: SIMD16<Float>.self)
            i += 32
        }
        var total = (a0 + a1).sum()
        while i < n { total += x[i]; i += 1 }
        return total
    }

    /// Σ x·y
    @inlinable
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= n {
            let x0 = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            let x1 = UnsafeRawPointer(x + i + 16).loadUnaligned(as: SIMD16<Float>.self)
            a0 += x0 * UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
            a1 += x1 * UnsafeRawPointer(y + i + 16).loadUnaligned(as: SIMD16<Float>.self)
            i += 32
        }
        var total = (a0 + a1).sum()
        while i < n { total += x[i] * y[i]; i += 1 }
        return total
    }

    /// Whether every element is finite: x − x is 0 for finite values and NaN for infinities and
    /// NaNs, and a NaN survives the SIMD sum (a branch-free pass; the gradients and weights of a
    /// step are checked this way).
    @inlinable
    public static func allFinite(_ x: UnsafePointer<Float>, _ n: Int) -> Bool {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var i = 0
        while i + 32 <= n {
            let x0 = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            let x1 = UnsafeRawPointer(x + i + 16).loadUnaligned(as: SIMD16<Float>.self)
            a0 += x0 - x0
            a1 += x1 - x1
            i += 32
        }
        var total = (a0 + a1).sum()
        while i < n { total += x[i] - x[i]; i += 1 }
        return total == 0
    }
}
