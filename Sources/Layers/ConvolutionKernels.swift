import Tensor

/// The batched kernels of one 2-d convolution A_W, which maps images [N, C, H, W] to feature maps
/// [N, O, outH, outW] with a weight W [O, C, kh, kw] (OIHW), together with its adjoint A_Wᵀ and its
/// weight gradient. `Conv2d` runs A_W forward and A_Wᵀ for the input gradient; `ConvTranspose2d`
/// is A_Wᵀ of the convolution it transposes, so it runs the same kernels the other way round.
///
/// Every operation works on chunks of `samplesPerChunk` samples: their patches are laid side by
/// side in one column matrix [C·kh·kw, nb·outH·outW] (im2col), so that each chunk costs a single
/// sgemm; the chunk's feature maps live in a channel-major matrix [O, nb·outH·outW] that is
/// scattered to (or gathered from) NCHW around the product (a chunk of one sample is used in place).
///
/// The chunks of a batch are split across `Parallel.workerCount` workers, each with its own
/// workspace and a single-threaded sgemm, so that im2col, col2im and the products all run in
/// parallel; with one worker, the sgemm uses `BLAS.threadCount` threads. Workspaces are allocated
/// on first use and reused; one instance must not run two operations at the same time.
///
/// Chunk size: a column matrix that stays in a core's L2 cache (1 MB on this project's machines)
/// beats a larger N. On the two layers of `fsnn bench ops`, 1 MB chunks (N = 196 and 256) were
/// 0–50 % faster than 8 MB chunks (N ≈ 1200 and 2000) with 1 and 2 threads: the products gain
/// little once N is a few hundred, while im2col, col2im and OpenBLAS's packing of the column
/// matrix lose their cache.
final class ConvolutionKernels {
    let geometry: ConvolutionGeometry
    /// O, the channels of the feature maps.
    let mapChannels: Int
    /// Samples per chunk: as many as fit the column budget, at least one.
    let samplesPerChunk: Int

    /// The per-worker buffers.
    private final class Workspace {
        /// [C·kh·kw, nb·outH·outW]
        let columns: Tensor
        /// [O, nb·outH·outW]; empty when a chunk is one sample.
        let chunkMaps: Tensor
        /// [O, C·kh·kw], the weight-gradient sum of workers other than the first; allocated on first use.
        var weightGradient: Tensor?

        init(_ kernels: ConvolutionKernels) {
            let columnCount = kernels.samplesPerChunk * kernels.geometry.outputPixels
            columns = Tensor(zeros: [kernels.geometry.patchSize, columnCount])
            chunkMaps = Tensor(zeros: [kernels.mapChannels, kernels.samplesPerChunk > 1 ? columnCount : 0])
        }
    }

    private var workspaces: [Workspace] = []

    /// For stride 1 and a square kernel, A_Wᵀ is itself a convolution, of the feature maps (O → C
    /// channels, padding k − 1 − p) with the flipped kernel W'[c, o, ky, kx] =
    /// W[o, c, k − 1 − ky, k − 1 − kx]. Run forward, its sgemm has K = O·k² instead of K = O and
    /// needs no col2im: 74 instead of 83 ms per batch of 128 on the MNIST feedback layer (1 thread).
    /// Nil for other geometries.
    private let adjointConvolution: ConvolutionKernels?
    /// W' [C, O·k²] for `adjointConvolution`.
    private let flippedWeight: Tensor

    /// Bytes the column matrix of one chunk may take by default (see the type's documentation).
    static let defaultColumnBudgetBytes = 1 << 20
    /// Multiply–adds a worker must have by default before a batch is split across workers: about
    /// 0.1 ms of sgemm, twice the cost of waking a worker.
    static let defaultMinimumMultiplyAddsPerWorker = 1 << 23
    private let minimumMultiplyAddsPerWorker: Int

    /// - Parameter flipsAdjoint: whether to run A_Wᵀ as `adjointConvolution` where it applies.
    init(geometry: ConvolutionGeometry, mapChannels: Int, columnBudgetBytes: Int = defaultColumnBudgetBytes,
         minimumMultiplyAddsPerWorker: Int = defaultMinimumMultiplyAddsPerWorker, flipsAdjoint: Bool = true) {
        self.geometry = geometry
        self.mapChannels = mapChannels
        self.minimumMultiplyAddsPerWorker = minimumMultiplyAddsPerWorker
        let bytesPerSample = geometry.patchSize * geometry.outputPixels * MemoryLayout<Float>.stride
        samplesPerChunk = max(1, columnBudgetBytes / bytesPerSample)
        let k = geometry.kernelHeight
        if flipsAdjoint, geometry.stride == 1, geometry.kernelWidth == k, geometry.padding <= k - 1,
           let adjointGeometry = try? ConvolutionGeometry(
               channels: mapChannels, height: geometry.outputHeight, width: geometry.outputWidth,
               kernelHeight: k, kernelWidth: k, stride: 1, padding: k - 1 - geometry.padding) {
            adjointConvolution = ConvolutionKernels(
                geometry: adjointGeometry, mapChannels: geometry.channels, columnBudgetBytes: columnBudgetBytes,
                minimumMultiplyAddsPerWorker: minimumMultiplyAddsPerWorker, flipsAdjoint: false)
            flippedWeight = Tensor(zeros: [geometry.channels, mapChannels * k * k])
        } else {
            adjointConvolution = nil
            flippedWeight = Tensor(zeros: [0])
        }
    }

    /// [C, H, W]
    var imageShape: [Int] { [geometry.channels, geometry.height, geometry.width] }
    /// [O, outH, outW]
    var mapShape: [Int] { [mapChannels, geometry.outputHeight, geometry.outputWidth] }
    /// Multiply–adds of one pass (forward, adjoint or weight gradient) per sample.
    var multiplyAddsPerSample: Int { mapChannels * geometry.patchSize * geometry.outputPixels }

    // MARK: Forward, adjoint and weight gradient

    /// maps = A_W images: maps[n] = W [O, C·kh·kw] · im2col(images[n]).
    /// `weight` holds O·C·kh·kw elements; `images` is [N] + imageShape, `maps` is [N] + mapShape.
    func convolve(weight: Tensor, images: Tensor, into maps: Tensor) {
        let k = geometry.patchSize
        forEachChunk(samples: images.shape[0]) { _, workspace, first, count in
            let columnCount = count * geometry.outputPixels
            im2col(images, first: first, count: count, into: workspace)
            let product = count == 1 ? sample(first, of: maps) : workspace.chunkMaps.pointer
            BLAS.gemm(m: mapChannels, n: columnCount, k: k, a: weight.pointer, lda: k,
                      b: workspace.columns.pointer, ldb: columnCount, c: product, ldc: columnCount)
            if count > 1 { scatter(workspace.chunkMaps, to: maps, first: first, count: count) }
        }
    }

    /// images = A_Wᵀ maps: images[n] = col2im(Wᵀ · maps[n]), or the flipped-kernel convolution of
    /// maps[n] where `adjointConvolution` applies; `images` is overwritten.
    func convolveTransposed(weight: Tensor, maps: Tensor, into images: Tensor) {
        if let adjointConvolution {
            flip(weight, into: flippedWeight)
            adjointConvolution.convolve(weight: flippedWeight, images: maps, into: images)
            return
        }
        let k = geometry.patchSize
        forEachChunk(samples: maps.shape[0]) { _, workspace, first, count in
            let columnCount = count * geometry.outputPixels
            let chunkMaps = gather(maps, first: first, count: count, into: workspace)
            BLAS.gemm(transposeA: true, m: k, n: columnCount, k: mapChannels, a: weight.pointer, lda: k,
                      b: chunkMaps, ldb: columnCount, c: workspace.columns.pointer, ldc: columnCount)
            col2im(workspace, into: images, first: first, count: count)
        }
    }

    /// dW += Σ_n mapGradient[n] · im2col(images[n])ᵀ, the gradient of ⟨mapGradient, A_W images⟩
    /// with respect to W [O, C·kh·kw]. Workers other than the first sum into their own buffers,
    /// which are added to dW afterwards in worker order (deterministic for a given worker count).
    func accumulateWeightGradient(images: Tensor, mapGradient: Tensor, into weightGradient: Tensor) {
        let k = geometry.patchSize
        let workers = forEachChunk(samples: images.shape[0], prepare: { worker, workspace in
            if worker > 0 {
                if workspace.weightGradient == nil { workspace.weightGradient = Tensor(zeros: [mapChannels, k]) }
                workspace.weightGradient!.fill(0)
            }
        }) { worker, workspace, first, count in
            let columnCount = count * geometry.outputPixels
            let chunkMaps = gather(mapGradient, first: first, count: count, into: workspace)
            im2col(images, first: first, count: count, into: workspace)
            let sum = worker == 0 ? weightGradient : workspace.weightGradient!
            BLAS.gemm(transposeB: true, m: mapChannels, n: k, k: columnCount, a: chunkMaps, lda: columnCount,
                      b: workspace.columns.pointer, ldb: columnCount, beta: 1, c: sum.pointer, ldc: k)
        }
        for worker in 1..<max(workers, 1) {
            VectorKernels.add(weightGradient.pointer, workspaces[worker].weightGradient!.pointer, weightGradient.count)
        }
    }

    /// W'[c, o, ky, kx] = W[o, c, k − 1 − ky, k − 1 − kx]
    private func flip(_ weight: Tensor, into flipped: Tensor) {
        let c = geometry.channels, k = geometry.kernelHeight, kernelSize = k * k
        let source = weight.pointer, target = flipped.pointer
        for o in 0..<mapChannels {
            for ci in 0..<c {
                let from = source + (o * c + ci) * kernelSize, to = target + (ci * mapChannels + o) * kernelSize
                for i in 0..<kernelSize { to[kernelSize - 1 - i] = from[i] }
            }
        }
    }

    // MARK: Chunks, workers and layout changes

    /// Splits the batch into chunks of at most `samplesPerChunk` samples and the chunks into one
    /// contiguous share per worker; each worker calls `prepare` once and then
    /// `body(worker, workspace, first, count)` for its chunks in order. Returns the worker count.
    @discardableResult
    private func forEachChunk(
        samples: Int, prepare: (_ worker: Int, Workspace) -> Void = { _, _ in },
        _ body: (_ worker: Int, Workspace, _ first: Int, _ count: Int) -> Void
    ) -> Int {
        let chunks = (samples + samplesPerChunk - 1) / samplesPerChunk
        let multiplyAddsPerChunk = samplesPerChunk * multiplyAddsPerSample
        let minimumChunks = max(1, minimumMultiplyAddsPerWorker / max(multiplyAddsPerChunk, 1))
        let workers = Parallel.workers(for: chunks, minimumChunk: minimumChunks)
        while workspaces.count < workers { workspaces.append(Workspace(self)) }
        let workspaces = self.workspaces
        Parallel.forEachWorkerChunk(chunks, workers: workers) { worker, chunkRange in
            let workspace = workspaces[worker]
            prepare(worker, workspace)
            for chunk in chunkRange {
                let first = chunk * samplesPerChunk
                body(worker, workspace, first, min(samplesPerChunk, samples - first))
            }
        }
        return chunks == 0 ? 0 : workers
    }

    /// The first element of sample n of a batch of feature maps.
    private func sample(_ n: Int, of maps: Tensor) -> UnsafeMutablePointer<Float> {
        maps.pointer + n * mapChannels * geometry.outputPixels
    }

    /// columns[:, j·P ..< (j+1)·P] = im2col(images[first + j]) for j < count.
    private func im2col(_ images: Tensor, first: Int, count: Int, into workspace: Workspace) {
        let p = geometry.outputPixels
        for j in 0..<count {
            geometry.im2col(image: images.pointer + (first + j) * geometry.imageSize, columns: workspace.columns.pointer,
                            columnOffset: j * p, ldColumns: count * p)
        }
    }

    /// images[first + j] = col2im(columns[:, j·P ..< (j+1)·P]) for j < count.
    private func col2im(_ workspace: Workspace, into images: Tensor, first: Int, count: Int) {
        let p = geometry.outputPixels
        for j in 0..<count {
            let image = images.pointer + (first + j) * geometry.imageSize
            image.update(repeating: 0, count: geometry.imageSize)
            geometry.col2im(columns: workspace.columns.pointer, image: image, columnOffset: j * p, ldColumns: count * p)
        }
    }

    /// maps[first + j, o, :] = chunkMaps[o, j·P ..< (j+1)·P]
    private func scatter(_ chunkMaps: Tensor, to maps: Tensor, first: Int, count: Int) {
        let p = geometry.outputPixels
        for j in 0..<count {
            for o in 0..<mapChannels {
                (sample(first + j, of: maps) + o * p).update(from: chunkMaps.pointer + o * count * p + j * p, count: p)
            }
        }
    }

    /// The chunk's maps channel-major, [O, count·P]: gathered into the workspace, or the sample
    /// itself when the chunk is one sample.
    private func gather(_ maps: Tensor, first: Int, count: Int, into workspace: Workspace) -> UnsafeMutablePointer<Float> {
        guard count > 1 else { return sample(first, of: maps) }
        let p = geometry.outputPixels, target = workspace.chunkMaps.pointer
        for j in 0..<count {
            for o in 0..<mapChannels {
                (target + o * count * p + j * p).update(from: sample(first + j, of: maps) + o * p, count: p)
            }
        }
        return target
    }
}
