import Tensor

/// How a layer draws its weight and bias. Draws come from the generator passed to the layer's
/// initialiser, weight elements first and then bias elements, each in element order, so a layer is
/// reproducible from the generator's state.
public enum WeightInitialization: Sendable, Equatable {
    /// Spec §6.4 (ref. code), for every conv, FC and conv-transpose weight of the feed-forward
    /// branch, the feedback and the loop layers: W ~ U(−1, 1), then each output unit's weight
    /// vector is rescaled to unit L2 norm (a linear layer's row, a convolution's filter
    /// weight[o, :, :, :], a transposed convolution's slice weight[:, o, :, :]); bias 0.
    case uniformUnitNorm
    /// PyTorch's default for `nn.Linear`, `nn.Conv2d` and `nn.ConvTranspose2d` (spec §6.4, the
    /// classifier): `kaiming_uniform_(a: √5)`, i.e. W ~ U(±1/√fan_in), and b ~ U(±1/√fan_in), with
    /// PyTorch's fan_in = weight.count / weight.shape[0] (for a transposed convolution's
    /// [I, O, kh, kw] weight that is O·kh·kw, as in PyTorch).
    case pytorchDefault

    /// Draws `weight` and then `bias`. `unitAxis` is the weight axis that indexes output units:
    /// 0 for OIHW and out×in weights, 1 for IOHW (transposed convolution) weights.
    func initialize(weight: Tensor, bias: Tensor?, unitAxis: Int, using generator: inout RandomGenerator) {
        switch self {
        case .uniformUnitNorm:
            weight.fillUniform(-1..<1, using: &generator)
            Self.normalizeOutputUnits(of: weight, unitAxis: unitAxis)
            bias?.fill(0)
        case .pytorchDefault:
            let fanIn = weight.count / weight.shape[0]
            let bound = 1 / Float(fanIn).squareRoot()
            weight.fillUniform(-bound..<bound, using: &generator)
            bias?.fillUniform(-bound..<bound, using: &generator)
        }
    }

    /// Rescales each output unit's weights to unit L2 norm. The weight is viewed as
    /// [outer, units, inner] around `unitAxis`; unit u is every element [a, u, b].
    private static func normalizeOutputUnits(of weight: Tensor, unitAxis: Int) {
        let outer = weight.shape[..<unitAxis].reduce(1, *)
        let units = weight.shape[unitAxis]
        let inner = weight.shape[(unitAxis + 1)...].reduce(1, *)
        let w = weight.pointer
        for u in 0..<units {
            var squares: Double = 0
            for a in 0..<outer {
                let block = w + (a * units + u) * inner
                for b in 0..<inner { squares += Double(block[b]) * Double(block[b]) }
            }
            guard squares > 0 else { continue }
            let scale = Float(1 / squares.squareRoot())
            for a in 0..<outer { VectorKernels.scale(w + (a * units + u) * inner, scale, inner) }
        }
    }
}
