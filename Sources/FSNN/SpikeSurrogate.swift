import Foundation

/// The surrogate derivative ∂s/∂m of the spike s = H(m − V_th) used by STBP (spec §10).
public struct SpikeSurrogate: Equatable, Sendable {
    public var kind: SurrogateKind
    /// Rectangular: window width a; sigmoid and arctan: sharpness k.
    public var parameter: Float
    /// Stop the gradient through the subtractive reset v = λ(m − V_th·s).
    public var detachReset: Bool

    public init(kind: SurrogateKind = .rectangular, parameter: Float = 1, detachReset: Bool = false) {
        self.kind = kind
        self.parameter = parameter
        self.detachReset = detachReset
    }

    /// ∂s/∂m at membrane m:
    /// rectangular 1[|m − V_th| < a/2]/a (width a = 1 by default: STBP's classic choice);
    /// sigmoid k·σ(k(m − V_th))·(1 − σ(k(m − V_th)));
    /// arctan (k/2) / (1 + (π k (m − V_th)/2)²).
    @inline(__always)
    public func derivative(membrane m: Float, threshold: Float) -> Float {
        let x = m - threshold
        switch kind {
        case .rectangular:
            return abs(x) < parameter / 2 ? 1 / parameter : 0
        case .sigmoid:
            let s = 1 / (1 + expf(-parameter * x))
            return parameter * s * (1 - s)
        case .arctan:
            let y = Float.pi * parameter * x / 2
            return parameter / 2 / (1 + y * y)
        }
    }
}

