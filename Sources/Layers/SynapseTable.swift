import Tensor

/// The connectivity of a layer's linear map A_W, as a table from each input element to the
/// outputs it reaches and the weight entries it reaches them through. It knows nothing of what the
/// inputs are; products that visit only some inputs (FSNN's spike-driven products) are built on it.
///
/// Inputs are `inputChannels` planes of `inputPixels` elements (a fully connected layer: one pixel
/// per channel); outputs are `outputPixels` pixels of `outputChannels` channels. Input pixel p owns
/// the runs `runStart[p]..<runStart[p + 1]`: run r meets output pixel `outputPixel[r]` through tap
/// `tap[r]`, and the next `length[r] − 1` output pixels through the next taps. With the weight laid
/// out as [input channel, tap, output channel] (`AffineLayer.writeInputMajorWeight(into:)`) and the
/// outputs channels-last, input (c, p) adds the contiguous block W[c, tap[r] ..< tap[r] + length[r], :]
/// to out[outputPixel[r] ..< outputPixel[r] + length[r], :] for each of its runs.
public struct SynapseTable: Sendable {
    public let inputChannels, inputPixels, outputChannels, outputPixels, taps: Int
    public private(set) var runStart: [Int] = [0]
    public private(set) var outputPixel: [Int] = []
    public private(set) var tap: [Int] = []
    public private(set) var length: [Int] = []

    /// Whether A_W is fully connected (one pixel in, one pixel out, one tap).
    public var isFullyConnected: Bool { inputPixels == 1 && outputPixels == 1 }

    /// Linear: every input feature reaches every output feature through the one tap.
    public static func fullyConnected(inputs: Int, outputs: Int) -> SynapseTable {
        var table = SynapseTable(inputChannels: inputs, inputPixels: 1, outputChannels: outputs, outputPixels: 1, taps: 1)
        table.add(outputPixel: 0, tap: 0)
        table.endPixel()
        return table
    }

    /// Conv2d with O output channels: out[o, oy, ox] += W[o, c, ky, kx] · in[c, oy·s − p + ky, ox·s − p + kx].
    /// Taps are numbered ky·kw + (kw − 1 − kx) (mirrored along x) and visited with kx descending,
    /// so that for stride 1 the output pixels of one kernel row come out consecutive.
    public static func convolution(_ g: ConvolutionGeometry, outputChannels: Int) -> SynapseTable {
        var table = SynapseTable(inputChannels: g.channels, inputPixels: g.height * g.width,
                                 outputChannels: outputChannels, outputPixels: g.outputPixels,
                                 taps: g.kernelHeight * g.kernelWidth)
        for iy in 0..<g.height {
            for ix in 0..<g.width {
                for ky in 0..<g.kernelHeight {
                    let (qy, ry) = (iy + g.padding - ky).quotientAndRemainder(dividingBy: g.stride)
                    guard iy + g.padding - ky >= 0, ry == 0, qy < g.outputHeight else { continue }
                    for kx in stride(from: g.kernelWidth - 1, through: 0, by: -1) {
                        let (qx, rx) = (ix + g.padding - kx).quotientAndRemainder(dividingBy: g.stride)
                        guard ix + g.padding - kx >= 0, rx == 0, qx < g.outputWidth else { continue }
                        table.add(outputPixel: qy * g.outputWidth + qx, tap: ky * g.kernelWidth + g.kernelWidth - 1 - kx)
                    }
                }
                table.endPixel()
            }
        }
        return table
    }

    /// ConvTranspose2d with I input channels: out[o, iy·s − p + ky, ix·s − p + kx] += W[i, o, ky, kx] · in[i, iy, ix]
    /// (its output is the geometry's image, its input the geometry's output map).
    public static func transposedConvolution(_ g: ConvolutionGeometry, inputChannels: Int) -> SynapseTable {
        var table = SynapseTable(inputChannels: inputChannels, inputPixels: g.outputPixels,
                                 outputChannels: g.channels, outputPixels: g.height * g.width,
                                 taps: g.kernelHeight * g.kernelWidth)
        for iy in 0..<g.outputHeight {
            for ix in 0..<g.outputWidth {
                for ky in 0..<g.kernelHeight {
                    let oy = iy * g.stride - g.padding + ky
                    guard oy >= 0, oy < g.height else { continue }
                    for kx in 0..<g.kernelWidth {
                        let ox = ix * g.stride - g.padding + kx
                        guard ox >= 0, ox < g.width else { continue }
                        table.add(outputPixel: oy * g.width + ox, tap: ky * g.kernelWidth + kx)
                    }
                }
                table.endPixel()
            }
        }
        return table
    }

    private init(inputChannels: Int, inputPixels: Int, outputChannels: Int, outputPixels: Int, taps: Int) {
        self.inputChannels = inputChannels
        self.inputPixels = inputPixels
        self.outputChannels = outputChannels
        self.outputPixels = outputPixels
        self.taps = taps
    }

    /// Adds a pair, extending the current run when it continues it in memory (the next output
    /// pixel through the next tap).
    private mutating func add(outputPixel pixel: Int, tap k: Int) {
        if outputPixel.count > runStart.last!, let last = outputPixel.indices.last,
           pixel == outputPixel[last] + length[last], k == tap[last] + length[last] {
            length[last] += 1
            return
        }
        outputPixel.append(pixel)
        tap.append(k)
        length.append(1)
    }

    /// Closes the runs of the current input pixel.
    private mutating func endPixel() {
        runStart.append(outputPixel.count)
    }
}
