/// A naive Float64 layer y = A_W x + b over a whole batch, written as its list of connections: every
/// term x[xi]·w[wi] that the layer adds into y[yi], plus the bias entry each output element adds.
/// Forward, the hand-written backward and finite differences all run on this list; the builders
/// (`linear`, `conv2d`, `convTranspose2d`) follow PyTorch's definitions index by index.
public struct ReferenceLayer {
    public var inputCount: Int
    public var outputCount: Int
    public var weightCount: Int
    public var biasCount: Int
    public var connections: [(y: Int, x: Int, w: Int)] = []
    /// The bias entry added to each output element (empty without bias).
    public var biasOfOutput: [Int] = []

    public func forward(x: [Double], w: [Double], b: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: outputCount)
        for c in connections { y[c.y] += x[c.x] * w[c.w] }
        for (i, bi) in biasOfOutput.enumerated() { y[i] += b[bi] }
        return y
    }

    /// The vector–Jacobian product for output gradient dy.
    public func backward(x: [Double], w: [Double], dy: [Double]) -> (dx: [Double], dw: [Double], db: [Double]) {
        var dx = [Double](repeating: 0, count: inputCount)
        var dw = [Double](repeating: 0, count: weightCount)
        var db = [Double](repeating: 0, count: biasCount)
        for c in connections {
            dx[c.x] += w[c.w] * dy[c.y]
            dw[c.w] += x[c.x] * dy[c.y]
        }
        for (i, bi) in biasOfOutput.enumerated() { db[bi] += dy[i] }
        return (dx, dw, db)
    }

    /// Central differences of L = ⟨dy, forward(x, w, b)⟩ with step h in every coordinate of x, w, b.
    public func finiteDifferenceGradients(x: [Double], w: [Double], b: [Double], dy: [Double], h: Double = 1e-3)
        -> (dx: [Double], dw: [Double], db: [Double]) {
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            zip(dy, forward(x: x, w: w, b: b)).reduce(0) { $0 + $1.0 * $1.1 }
        }
        return (Reference.gradient(of: { loss($0, w, b) }, at: x, step: h),
                Reference.gradient(of: { loss(x, $0, b) }, at: w, step: h),
                Reference.gradient(of: { loss(x, w, $0) }, at: b, step: h))
    }

    /// nn.Linear: y[n, o] = Σ_i x[n, i]·W[o, i] + b[o].
    public static func linear(batch: Int, inputs: Int, outputs: Int, bias: Bool) -> ReferenceLayer {
        var r = ReferenceLayer(inputCount: batch * inputs, outputCount: batch * outputs,
                               weightCount: outputs * inputs, biasCount: bias ? outputs : 0)
        for n in 0..<batch {
            for o in 0..<outputs {
                for i in 0..<inputs { r.connections.append((n * outputs + o, n * inputs + i, o * inputs + i)) }
                if bias { r.biasOfOutput.append(o) }
            }
        }
        return r
    }

    /// nn.Conv2d: y[n, o, oy, ox] = Σ_{c, ky, kx} x[n, c, oy·s − p + ky, ox·s − p + kx]·W[o, c, ky, kx]
    /// + b[o], terms outside the input omitted (zero padding).
    public static func conv2d(batch: Int, inputChannels: Int, outputChannels: Int, height: Int, width: Int,
                       kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int, bias: Bool) -> ReferenceLayer {
        let oh = (height + 2 * padding - kernelHeight) / stride + 1
        let ow = (width + 2 * padding - kernelWidth) / stride + 1
        var r = ReferenceLayer(inputCount: batch * inputChannels * height * width,
                               outputCount: batch * outputChannels * oh * ow,
                               weightCount: outputChannels * inputChannels * kernelHeight * kernelWidth,
                               biasCount: bias ? outputChannels : 0)
        for n in 0..<batch {
            for o in 0..<outputChannels {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let yi = ((n * outputChannels + o) * oh + oy) * ow + ox
                        for c in 0..<inputChannels {
                            for ky in 0..<kernelHeight {
                                for kx in 0..<kernelWidth {
                                    let iy = oy * stride - padding + ky, ix = ox * stride - padding + kx
                                    guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                                    r.connections.append((yi, ((n * inputChannels + c) * height + iy) * width + ix,
                                                          ((o * inputChannels + c) * kernelHeight + ky) * kernelWidth + kx))
                                }
                            }
                        }
                        if bias { r.biasOfOutput.append(o) }
                    }
                }
            }
        }
        return r
    }

    /// nn.ConvTranspose2d (no bias), by its scatter definition: each input pixel x[n, i, iy, ix]
    /// adds x·W[i, o, ky, kx] into y[n, o, iy·s − p + ky, ix·s − p + kx] where that lies inside the
    /// output of size H = (h − 1)·s − 2p + kh + output_padding.
    public static func convTranspose2d(batch: Int, inputChannels: Int, outputChannels: Int, height: Int, width: Int,
                                kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int,
                                outputPadding: Int) -> ReferenceLayer {
        let oh = (height - 1) * stride - 2 * padding + kernelHeight + outputPadding
        let ow = (width - 1) * stride - 2 * padding + kernelWidth + outputPadding
        var r = ReferenceLayer(inputCount: batch * inputChannels * height * width,
                               outputCount: batch * outputChannels * oh * ow,
                               weightCount: inputChannels * outputChannels * kernelHeight * kernelWidth, biasCount: 0)
        for n in 0..<batch {
            for i in 0..<inputChannels {
                for iy in 0..<height {
                    for ix in 0..<width {
                        let xi = ((n * inputChannels + i) * height + iy) * width + ix
                        for o in 0..<outputChannels {
                            for ky in 0..<kernelHeight {
                                for kx in 0..<kernelWidth {
                                    let oy = iy * stride - padding + ky, ox = ix * stride - padding + kx
                                    guard oy >= 0, oy < oh, ox >= 0, ox < ow else { continue }
                                    r.connections.append((((n * outputChannels + o) * oh + oy) * ow + ox, xi,
                                                          ((i * outputChannels + o) * kernelHeight + ky) * kernelWidth + kx))
                                }
                            }
                        }
                    }
                }
            }
        }
        return r
    }
}
