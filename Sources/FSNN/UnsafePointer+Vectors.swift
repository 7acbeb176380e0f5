/// Unaligned vector loads and stores of Float runs, for the event-driven kernels.
extension UnsafePointer<Float> {
    /// The `V.scalarCount` floats from here on as one vector.
    @inline(__always) func vector<V: SIMD>(_: V.Type = V.self) -> V where V.Scalar == Float {
        UnsafeRawPointer(self).loadUnaligned(as: V.self)
    }
}

extension UnsafeMutablePointer<Float> {
    /// The `V.scalarCount` floats from here on as one vector.
    @inline(__always) func vector<V: SIMD>(_: V.Type = V.self) -> V where V.Scalar == Float {
        UnsafeRawPointer(self).loadUnaligned(as: V.self)
    }

    /// Writes `v` to the `V.scalarCount` floats from here on.
    @inline(__always) func store<V: SIMD>(_ v: V) where V.Scalar == Float {
        UnsafeMutableRawPointer(self).storeBytes(of: v, as: V.self)
    }
}
