import Tensor

/// A per-channel affine map y = scale[c]·x + shift[c] over [N, C] or [N, C, H, W] tensors: what a
/// BatchNorm in evaluation mode computes, without touching the BatchNorm's training cache. The
/// IDE Jacobian of the multi-layer map uses it (spec §4.3: loop BN in evaluation mode).
public struct ChannelAffine {
    public let scale: Tensor
    public let shift: Tensor

    public var channels: Int { scale.count }

    /// y = scale ⊙ x + shift per channel (y may be x).
    public func apply(_ x: Tensor, into y: Tensor) throws(TensorError) {
        try y.checkSameShape(as: x, "ChannelAffine output")
        try forEachChannelRun(of: x) { c, start, length in
            let a = scale.pointer[c], b = shift.pointer[c], source = x.pointer + start, target = y.pointer + start
            for i in 0..<length { target[i] = a * source[i] + b }
        }
    }

    /// g ⊙= scale per channel: the VJP of `apply` (in place).
    public func scale(_ g: Tensor) throws(TensorError) {
        try forEachChannelRun(of: g) { c, start, length in
            VectorKernels.scale(g.pointer + start, scale.pointer[c], length)
        }
    }

    /// Visits the contiguous run of each (sample, channel) pair.
    private func forEachChannelRun(of x: Tensor, _ body: (Int, Int, Int) -> Void) throws(TensorError) {
        guard x.rank >= 2, x.shape[1] == channels else {
            throw .invalidShape(operation: "ChannelAffine over \(channels) channels", shape: x.shape,
                                reason: "expected [N, \(channels)] or [N, \(channels), H, W]")
        }
        let length = x.shape.dropFirst(2).reduce(1, *)
        for n in 0..<x.shape[0] {
            for c in 0..<channels { body(c, (n * channels + c) * length, length) }
        }
    }
}

extension BatchNorm {
    /// The evaluation-mode map with the current running statistics:
    /// scale = γ/√(running var + ε), shift = β − running mean·scale.
    public func evaluationAffine() -> ChannelAffine {
        let scale = Tensor(zeros: [channels]), shift = Tensor(zeros: [channels])
        for c in 0..<channels {
            let s = weight.value.pointer[c] / (runningVariance.pointer[c] + epsilon).squareRoot()
            scale.pointer[c] = s
            shift.pointer[c] = bias.value.pointer[c] - runningMean.pointer[c] * s
        }
        return ChannelAffine(scale: scale, shift: shift)
    }
}
