import Tensor

/// The batched kernels of one 2-d convolution A_W, which maps images [N, C, H, W] to feature maps
/// [N, O, outH, outW] with a weight W [O, C, kh, kw] (OIHW), together with its adjoint A_Wᵀ and its
/// weight gradient. `Conv2d` runs A_W forward and A_Wᵀ for the input gradient; `ConvTranspose2d`
/// is A_Wᵀ of the convolution it transposes, so it runs the same kernels the other way round.
///
/// Every operation works on chunks of samples: the patches of `samplesPerChunk` images are laid
/// side by side in one column matrix [C·kh·kw, nb·outH·outW] (im2col), so that each chunk costs a
/// single sgemm with a large N. The feature maps of a chunk live in a channel-major matrix
/// [O, nb·outH·outW] and are scattered to (or gathered from) NCHW around the product.
///
/// The two workspaces are allocated on first use for a batch size and reused; they are not
/// thread-safe, so one instance must not run two operations at the same time.
final class ConvolutionKernels {
    let geometry: ConvolutionGeometry
    /// O, the channels of the feature maps.
    let mapChannels: Int
    /// Samples per chunk: as many as fit the column budget, at least one.
    let samplesPerChunk: Int

    /// [C·kh·kw, nb·outH·outW] for the current chunk (capacity for `samplesPerChunk` samples).
    private var columns = Tensor(zeros: [0])
    /// [O, nb·outH·outW], the chunk's feature maps channel-major.
    private var chunkMaps = Tensor(zeros: [0])

    /// Bytes the column matrix of one chunk may take by default: 8 MB keeps it in this machine's
    /// L3 cache while N = nb·outH·outW stays in the thousands for the paper's layers.
    static let defaultColumnBudgetBytes = 8 << 20
    /// Column elements a worker must have before im2col/col2im is split across cores (about 0.1 ms
    /// of copying, twice the cost of waking a worker).
    private static let minimumParallelElements = 1 << 17

    init(geometry: ConvolutionGeometry, mapChannels: Int, columnBudgetBytes: Int = defaultColumnBudgetBytes) {
        self.geometry = geometry
        self.mapChannels = mapChannels
        let bytesPerSample = geometry.patchSize * geometry.outputPixels * MemoryLayout<Float>.stride
        samplesPerChunk = max(1, columnBudgetBytes / bytesPerSample)
    }

    /// [C, H, W]
    var imageShape: [Int] { [geometry.channels, geometry.height, geometry.width] }
    /// [O, outH, outW]
    var mapShape: [Int] { [mapChannels, geometry.outputHeight, geometry.outputWidth] }
    /// Multiply–adds of one pass (forward, adjoint or weight gradient) per sample.
    var multiplyAddsPerSample: Int { mapChannels * geometry.patchSize * geometry.outputPixels }

    // MARK: Forward and adjoint

    /// maps = A_W images: maps[n] = W [O, C·kh·kw] · im2col(images[n]).
    /// `weight` holds O·C·kh·kw elements; `images` is [N] + imageShape, `maps` is [N] + mapShape.
    func convolve(weight: Tensor, images: Tensor, into maps: Tensor) {
        let p = geometry.outputPixels, k = geometry.patchSize
        forEachChunk(samples: images.shape[0]) { first, count in
            im2col(images, first: first, count: count)
            BLAS.gemm(m: mapChannels, n: count * p, k: k, a: weight.pointer, lda: k,
                      b: columns.pointer, ldb: count * p, c: chunkMaps.pointer, ldc: count * p)
            scatterChunkMaps(to: maps, first: first, count: count)
        }
    }

    /// images = A_Wᵀ maps: images[n] = col2im(Wᵀ · maps[n]); `images` is overwritten.
    func convolveTransposed(weight: Tensor, maps: Tensor, into images: Tensor) {
        let p = geometry.outputPixels, k = geometry.patchSize
        forEachChunk(samples: maps.shape[0]) { first, count in
            gatherChunkMaps(from: maps, first: first, count: count)
            BLAS.gemm(transposeA: true, m: k, n: count * p, k: mapChannels, a: weight.pointer, lda: k,
                      b: chunkMaps.pointer, ldb: count * p, c: columns.pointer, ldc: count * p)
            col2im(images, first: first, count: count)
        }
    }

    /// dW += Σ_n mapGradient[n] · im2col(images[n])ᵀ, the gradient of ⟨mapGradient, A_W images⟩
    /// with respect to W [O, C·kh·kw].
    func accumulateWeightGradient(images: Tensor, mapGradient: Tensor, into weightGradient: Tensor) {
        let p = geometry.outputPixels, k = geometry.patchSize
        forEachChunk(samples: images.shape[0]) { first, count in
            gatherChunkMaps(from: mapGradient, first: first, count: count)
            im2col(images, first: first, count: count)
            BLAS.gemm(transposeB: true, m: mapChannels, n: k, k: count * p, a: chunkMaps.pointer, lda: count * p,
                      b: columns.pointer, ldb: count * p, beta: 1, c: weightGradient.pointer, ldc: k)
        }
    }

    // MARK: Chunks and their layout changes

    /// Calls `body(first, count)` for consecutive chunks of at most `samplesPerChunk` samples, after
    /// making sure the workspaces can hold the largest chunk.
    private func forEachChunk(samples: Int, _ body: (_ first: Int, _ count: Int) -> Void) {
        let chunk = min(samples, samplesPerChunk)
        guard chunk > 0 else { return }
        let p = geometry.outputPixels
        if columns.count < geometry.patchSize * chunk * p {
            columns = Tensor(zeros: [geometry.patchSize, chunk * p])
            chunkMaps = Tensor(zeros: [mapChannels, chunk * p])
        }
        var first = 0
        while first < samples {
            let count = min(chunk, samples - first)
            body(first, count)
            first += count
        }
    }

    /// columns[:, j·P ..< (j+1)·P] = im2col(images[first + j]) for j < count, split across cores.
    private func im2col(_ images: Tensor, first: Int, count: Int) {
        let p = geometry.outputPixels, imageSize = geometry.imageSize
        let source = images.pointer, target = columns.pointer
        parallelOverSamples(count) { j in
            geometry.im2col(image: source + (first + j) * imageSize, columns: target,
                            columnOffset: j * p, ldColumns: count * p)
        }
    }

    /// images[first + j] = col2im(columns[:, j·P ..< (j+1)·P]) for j < count, split across cores.
    private func col2im(_ images: Tensor, first: Int, count: Int) {
        let p = geometry.outputPixels, imageSize = geometry.imageSize
        let source = columns.pointer, target = images.pointer
        parallelOverSamples(count) { j in
            let image = target + (first + j) * imageSize
            image.update(repeating: 0, count: imageSize)
            geometry.col2im(columns: source, image: image, columnOffset: j * p, ldColumns: count * p)
        }
    }

    /// Runs `body(j)` for j < count; each j writes its own sample, so chunks run concurrently.
    private func parallelOverSamples(_ count: Int, _ body: (Int) -> Void) {
        let elementsPerSample = geometry.patchSize * geometry.outputPixels
        let minimumChunk = max(1, Self.minimumParallelElements / elementsPerSample)
        Parallel.forEachChunk(count, minimumChunk: minimumChunk) { range in
            for j in range { body(j) }
        }
    }

    /// maps[first + j, o, :] = chunkMaps[o, j·P ..< (j+1)·P]
    private func scatterChunkMaps(to maps: Tensor, first: Int, count: Int) {
        let p = geometry.outputPixels, rowLength = count * p
        let source = chunkMaps.pointer, sampleBase = maps.pointer + first * mapChannels * p
        for j in 0..<count {
            for o in 0..<mapChannels {
                (sampleBase + (j * mapChannels + o) * p).update(from: source + o * rowLength + j * p, count: p)
            }
        }
    }

    /// chunkMaps[o, j·P ..< (j+1)·P] = maps[first + j, o, :]
    private func gatherChunkMaps(from maps: Tensor, first: Int, count: Int) {
        let p = geometry.outputPixels, rowLength = count * p
        let target = chunkMaps.pointer, sampleBase = maps.pointer + first * mapChannels * p
        for j in 0..<count {
            for o in 0..<mapChannels {
                (target + o * rowLength + j * p).update(from: sampleBase + (j * mapChannels + o) * p, count: p)
            }
        }
    }
}
