import Tensor

extension BatchNorm {
    /// What a forward saves for its VJP (llm.c's cached activations): x̂ = (x − μ)/s of its input,
    /// 1/s per channel, and whether μ and s were the batch's own (then the VJP has the
    /// batch-statistics terms). Owned by the caller, one per forward that will be differentiated,
    /// and reused: the x̂ buffer is reallocated only when the sample shape changes or the batch grows.
    public final class Saved {
        /// x̂ of the last forward that saved here, its input's shape; nil before the first.
        public private(set) var normalized: Tensor?
        private var storage: Tensor?
        /// 1/s_c, shape [C].
        let inverseStandardDeviation: Tensor
        /// Whether the statistics were those of the batch (a training forward).
        public private(set) var usedBatchStatistics = false

        public init(channels: Int) {
            inverseStandardDeviation = Tensor(zeros: [channels])
        }

        /// Records the forward's statistics and returns the x̂ buffer for an input of `shape`.
        func prepare(shape: [Int], inverseStandardDeviation inverse: Tensor, usedBatchStatistics: Bool)
            throws(BatchNormError) -> Tensor {
            guard inverse.shape == inverseStandardDeviation.shape else {
                throw .shapeMismatch(operation: "saved state", expected: inverse.shape,
                                     actual: inverseStandardDeviation.shape)
            }
            inverseStandardDeviation.pointer.update(from: inverse.pointer, count: inverse.count)
            self.usedBatchStatistics = usedBatchStatistics
            let buffer: Tensor
            if let storage, storage.shape.dropFirst() == shape.dropFirst(), let view = try? storage.batch(0..<shape[0]) {
                buffer = view
            } else {
                buffer = Tensor(zeros: shape)
                storage = buffer
            }
            normalized = buffer
            return buffer
        }
    }
}
