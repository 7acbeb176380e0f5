/// The geometry of a 2-d convolution over one C×H×W image: square stride and padding, any
/// kernel size. A transposed convolution uses the geometry of the convolution it transposes
/// (its output is this geometry's image).
public struct ConvolutionGeometry: Equatable, Sendable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let stride: Int
    public let padding: Int

    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                stride: Int = 1, padding: Int = 0) throws(TensorError) {
        let shape = [channels, height, width]
        guard channels > 0, height > 0, width > 0, kernelHeight > 0, kernelWidth > 0, stride > 0, padding >= 0 else {
            throw .invalidShape(operation: "convolution k\(kernelHeight)×\(kernelWidth) s\(stride) p\(padding)",
                                shape: shape, reason: "extents, kernel and stride must be positive, padding non-negative")
        }
        guard height + 2 * padding >= kernelHeight, width + 2 * padding >= kernelWidth else {
            throw .invalidShape(operation: "convolution k\(kernelHeight)×\(kernelWidth) s\(stride) p\(padding)",
                                shape: shape, reason: "kernel larger than the padded image")
        }
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
    }

    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Rows of the column matrix: C·kh·kw, in PyTorch's OIHW weight order (c, ky, kx).
    public var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix for one image: outH·outW.
    public var outputPixels: Int { outputHeight * outputWidth }
    public var imageSize: Int { channels * height * width }

    /// Copies the patches of one image into the column matrix: column `columnOffset + oy·outW + ox`
    /// of row (c·kh + ky)·kw + kx receives image[c, oy·s − p + ky, ox·s − p + kx] (0 outside the
    /// image). `ldColumns` is the row stride of the column matrix, so several images can sit side
    /// by side.
    public func im2col(image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>,
                       columnOffset: Int = 0, ldColumns: Int? = nil) {
        let ld = ldColumns ?? outputPixels
        let oh = outputHeight, ow = outputWidth
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth {
                    let row = columns + ((c * kernelHeight + ky) * kernelWidth + kx) * ld + columnOffset
                    let (xStart, xEnd) = validOutputRange(kernelOffset: kx, extent: width, outputs: ow)
                    for oy in 0..<oh {
                        let iy = oy * stride - padding + ky
                        let target = row + oy * ow
                        guard iy >= 0, iy < height, xStart < xEnd else {
                            target.update(repeating: 0, count: ow)
                            continue
                        }
                        let source = plane + iy * width
                        for ox in 0..<xStart { target[ox] = 0 }
                        if stride == 1 {
                            (target + xStart).update(from: source + (xStart - padding + kx), count: xEnd - xStart)
                        } else {
                            for ox in xStart..<xEnd { target[ox] = source[ox * stride - padding + kx] }
                        }
                        for ox in xEnd..<ow { target[ox] = 0 }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds every column entry back into the image position it was read
    /// from. The image is accumulated into, not overwritten.
    public func col2im(columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>,
                       columnOffset: Int = 0, ldColumns: Int? = nil) {
        let ld = ldColumns ?? outputPixels
        let oh = outputHeight, ow = outputWidth
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth {
                    let row = columns + ((c * kernelHeight + ky) * kernelWidth + kx) * ld + columnOffset
                    let (xStart, xEnd) = validOutputRange(kernelOffset: kx, extent: width, outputs: ow)
                    guard xStart < xEnd else { continue }
                    for oy in 0..<oh {
                        let iy = oy * stride - padding + ky
                        guard iy >= 0, iy < height else { continue }
                        let source = row + oy * ow
                        let target = plane + iy * width
                        if stride == 1 {
                            let shifted = target + (xStart - padding + kx)
                            for j in 0..<(xEnd - xStart) { shifted[j] += source[xStart + j] }
                        } else {
                            for ox in xStart..<xEnd { target[ox * stride - padding + kx] += source[ox] }
                        }
                    }
                }
            }
        }
    }

    /// Output columns ox whose input column ox·s − p + k lies inside [0, extent).
    private func validOutputRange(kernelOffset k: Int, extent: Int, outputs: Int) -> (Int, Int) {
        // ox·s ≥ p − k  and  ox·s ≤ extent − 1 + p − k
        let low = padding - k
        let start = low <= 0 ? 0 : (low + stride - 1) / stride
        let high = extent - 1 + padding - k
        let end = high < 0 ? 0 : min(outputs, high / stride + 1)
        return (min(start, end), end)
    }
}
