@testable import Layers
import Tensor
import TestSupport
import Testing

/// The convolution kernels split a batch into chunks whose column matrices fit a byte budget, and
/// the chunks across `Parallel.workerCount` workers once there is enough work. The layer tests
/// run one chunk on one worker; here the same batch is run with chunks of 1, 2 (+ a remainder of
/// 1) and all 5 samples, on one worker and on as many as are configured (2 on this project's
/// machines), and every operation must agree.
@Suite struct ConvolutionChunkingTests {
    @Test func chunkSizeDoesNotChangeResults() throws {
        let geometry = try ConvolutionGeometry(channels: 3, height: 7, width: 6, kernelHeight: 3, kernelWidth: 3,
                                               stride: 2, padding: 1)
        let mapChannels = 4, batch = 5
        let bytesPerSample = geometry.patchSize * geometry.outputPixels * MemoryLayout<Float>.stride
        var generator = RandomGenerator(seed: 5)
        let weight = tensor([mapChannels, geometry.patchSize], uniformValues(mapChannels * geometry.patchSize, &generator))
        let images = tensor([batch, 3, 7, 6], uniformValues(batch * geometry.imageSize, &generator))
        let mapCount = batch * mapChannels * geometry.outputPixels
        let maps = tensor([batch, mapChannels, geometry.outputHeight, geometry.outputWidth],
                          uniformValues(mapCount, &generator))

        func run(budget: Int, minimumWork: Int = ConvolutionKernels.defaultMinimumMultiplyAddsPerWorker)
            -> (forward: [Double], adjoint: [Double], weightGradient: [Double], chunk: Int) {
            let kernels = ConvolutionKernels(geometry: geometry, mapChannels: mapChannels, columnBudgetBytes: budget,
                                             minimumMultiplyAddsPerWorker: minimumWork)
            let forward = Tensor(repeating: .nan, shape: maps.shape)
            let adjoint = Tensor(repeating: .nan, shape: images.shape)
            let weightGradient = Tensor(repeating: 1, shape: weight.shape)
            kernels.convolve(weight: weight, images: images, into: forward)
            kernels.convolveTransposed(weight: weight, maps: maps, into: adjoint)
            kernels.accumulateWeightGradient(images: images, mapGradient: maps, into: weightGradient)
            return (doubles(forward), doubles(adjoint), doubles(weightGradient), kernels.samplesPerChunk)
        }
        let whole = run(budget: 1 << 30)
        #expect(whole.chunk >= batch)
        for (budget, minimumWork) in [(1, Int.max), (2 * bytesPerSample, Int.max), (1, 1), (2 * bytesPerSample, 1)] {
            let chunked = run(budget: budget, minimumWork: minimumWork)
            #expect(chunked.chunk == max(1, budget / bytesPerSample))
            #expect(relativeError(chunked.forward, whole.forward) <= 1e-6)
            #expect(relativeError(chunked.adjoint, whole.adjoint) <= 1e-6)
            #expect(relativeError(chunked.weightGradient, whole.weightGradient) <= 1e-6)
        }
    }
}

/// For stride 1 and square kernels, A_Wᵀ runs as a forward convolution with the flipped kernel;
/// it must agree with the col2im route.
@Suite struct FlippedAdjointTests {
    @Test(arguments: [(3, 1), (3, 0), (5, 2), (5, 4), (1, 0)])
    func flippedKernelConvolutionEqualsCol2im(kernel: Int, padding: Int) throws {
        let geometry = try ConvolutionGeometry(channels: 3, height: 7, width: 6, kernelHeight: kernel,
                                               kernelWidth: kernel, stride: 1, padding: padding)
        let mapChannels = 4, batch = 3
        var generator = RandomGenerator(seed: 6)
        let weight = tensor([mapChannels, geometry.patchSize], uniformValues(mapChannels * geometry.patchSize, &generator))
        let maps = tensor([batch, mapChannels, geometry.outputHeight, geometry.outputWidth],
                          uniformValues(batch * mapChannels * geometry.outputPixels, &generator))
        func adjoint(flipsAdjoint: Bool) -> [Double] {
            let kernels = ConvolutionKernels(geometry: geometry, mapChannels: mapChannels, flipsAdjoint: flipsAdjoint)
            let images = Tensor(repeating: .nan, shape: [batch, 3, 7, 6])
            kernels.convolveTransposed(weight: weight, maps: maps, into: images)
            return doubles(images)
        }
        #expect(relativeError(adjoint(flipsAdjoint: true), adjoint(flipsAdjoint: false)) <= 1e-6)
    }
}
