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

    /// With stride 1 and outW = W, output pixel i = oy·W + ox of kernel column kx reads image
    /// pixel i + (ky − p)·W + (kx − p): one constant shift per row of the column matrix, so im2col
    /// and col2im run as single long loops. The shift wraps around row edges at the pixels whose
    /// ox + kx − p falls outside [0, W); `shiftMasks[kx·P + i]` is 0 there and 1 elsewhere.
    /// Empty for other geometries.
    private let shiftMasks: [Float]

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
        shiftMasks = Self.makeShiftMasks(height: height, width: width, kernelHeight: kernelHeight,
                                         kernelWidth: kernelWidth, stride: stride, padding: padding)
    }

    public var outputHeight: Int { Self.outputExtent(height, kernel: kernelHeight, stride: stride, padding: padding) }
    public var outputWidth: Int { Self.outputExtent(width, kernel: kernelWidth, stride: stride, padding: padding) }

    /// ⌊(extent + 2p − k)/s⌋ + 1
    private static func outputExtent(_ extent: Int, kernel: Int, stride: Int, padding: Int) -> Int {
        (extent + 2 * padding - kernel) / stride + 1
    }
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
        forEachPatchRow { c, ky, kx, rows, pixels, mask in
            let row = columns + ((c * kernelHeight + ky) * kernelWidth + kx) * ld + columnOffset
            guard !rows.isEmpty, !pixels.isEmpty else {
                row.update(repeating: 0, count: outputPixels)
                return
            }
            let plane = image + c * height * width
            if let mask {
                // One shifted run from the first to the last in-image pixel; pixels whose shift
                // wraps around a row edge are masked to 0. The source is loaded unconditionally
                // (it lies inside the plane) so that the loop vectorises.
                let run = shiftedRun(ky: ky, kx: kx, rows: rows, pixels: pixels)
                row.update(repeating: 0, count: run.first)
                let target = row + run.first, source = plane + run.source, valid = mask + run.first
                for i in 0..<run.count {
                    let value = source[i]
                    target[i] = valid[i] != 0 ? value : 0
                }
                (row + run.first + run.count).update(repeating: 0, count: outputPixels - run.first - run.count)
                return
            }
            row.update(repeating: 0, count: rows.lowerBound * outputWidth)
            for oy in rows {
                let target = row + oy * outputWidth
                let source = plane + firstSource(oy: oy, ky: ky, kx: kx, pixels: pixels)
                // Plain loops: the zero runs are a few entries, too short for a memset call.
                for ox in 0..<pixels.lowerBound { target[ox] = 0 }
                for j in 0..<pixels.count { target[pixels.lowerBound &+ j] = source[j &* stride] }
                for ox in pixels.upperBound..<outputWidth { target[ox] = 0 }
            }
            (row + rows.upperBound * outputWidth).update(repeating: 0, count: (outputHeight - rows.upperBound) * outputWidth)
        }
    }

    /// The adjoint of `im2col`: adds every column entry back into the image position it was read
    /// from. The image is accumulated into, not overwritten.
    public func col2im(columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>,
                       columnOffset: Int = 0, ldColumns: Int? = nil) {
        let ld = ldColumns ?? outputPixels
        forEachPatchRow { c, ky, kx, rows, pixels, mask in
            guard !rows.isEmpty, !pixels.isEmpty else { return }
            let row = columns + ((c * kernelHeight + ky) * kernelWidth + kx) * ld + columnOffset
            let plane = image + c * height * width
            if let mask {
                let run = shiftedRun(ky: ky, kx: kx, rows: rows, pixels: pixels)
                let target = plane + run.source, source = row + run.first, valid = mask + run.first
                for i in 0..<run.count { target[i] += valid[i] != 0 ? source[i] : 0 }
                return
            }
            for oy in rows {
                let source = row + oy * outputWidth + pixels.lowerBound
                let target = plane + firstSource(oy: oy, ky: ky, kx: kx, pixels: pixels)
                for j in 0..<pixels.count { target[j &* stride] += source[j] }
            }
        }
    }

    /// Offset in the image plane of the input pixel read by output (oy, pixels.lowerBound) for
    /// kernel offset (ky, kx).
    private func firstSource(oy: Int, ky: Int, kx: Int, pixels: Range<Int>) -> Int {
        (oy * stride - padding + ky) * width + pixels.lowerBound * stride - padding + kx
    }

    /// For the shifted loops (stride 1, outW = W): the output pixels `first ..< first + count`
    /// from the first to the last in-image one, and the plane offset `source` of the first.
    private func shiftedRun(ky: Int, kx: Int, rows: Range<Int>, pixels: Range<Int>)
        -> (first: Int, count: Int, source: Int) {
        let first = rows.lowerBound * outputWidth + pixels.lowerBound
        let end = (rows.upperBound - 1) * outputWidth + pixels.upperBound
        return (first, end - first, first + (ky - padding) * width + (kx - padding))
    }

    /// Calls `body(c, ky, kx, rows, pixels, mask)` for every row of the column matrix, where `rows`
    /// and `pixels` are the output rows oy and columns ox whose input position lies inside the
    /// image, and `mask` is kernel column kx's shift mask (nil unless the shifted loops apply).
    private func forEachPatchRow(
        _ body: (Int, Int, Int, Range<Int>, Range<Int>, UnsafePointer<Float>?) -> Void
    ) {
        shiftMasks.withUnsafeBufferPointer { masks in
            for c in 0..<channels {
                for ky in 0..<kernelHeight {
                    let rows = validOutputRange(kernelOffset: ky, extent: height, outputs: outputHeight)
                    for kx in 0..<kernelWidth {
                        let pixels = validOutputRange(kernelOffset: kx, extent: width, outputs: outputWidth)
                        body(c, ky, kx, rows, pixels, masks.isEmpty ? nil : masks.baseAddress! + kx * outputPixels)
                    }
                }
            }
        }
    }

    /// Output positions o whose input position o·s − p + k lies inside [0, extent).
    private func validOutputRange(kernelOffset k: Int, extent: Int, outputs: Int) -> Range<Int> {
        // o·s ≥ p − k  and  o·s ≤ extent − 1 + p − k
        let low = padding - k
        let start = low <= 0 ? 0 : (low + stride - 1) / stride
        let high = extent - 1 + padding - k
        let end = high < 0 ? 0 : min(outputs, high / stride + 1)
        return min(start, end)..<end
    }

    private static func makeShiftMasks(height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                                       stride: Int, padding: Int) -> [Float] {
        let outputHeight = outputExtent(height, kernel: kernelHeight, stride: stride, padding: padding)
        let outputWidth = outputExtent(width, kernel: kernelWidth, stride: stride, padding: padding)
        guard stride == 1, outputWidth == width else { return [] }
        var masks: [Float] = []
        masks.reserveCapacity(kernelWidth * outputHeight * outputWidth)
        for kx in 0..<kernelWidth {
            let row = (0..<outputWidth).map { ox -> Float in (0..<width).contains(ox + kx - padding) ? 1 : 0 }
            for _ in 0..<outputHeight { masks += row }
        }
        return masks
    }
}
