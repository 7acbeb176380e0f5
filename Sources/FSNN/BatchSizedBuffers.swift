/// Buffers for one batch size, allocated once and reused by every batch of that size.
protocol BatchSizedBuffers: AnyObject {
    var batchSize: Int { get }
}

extension Optional where Wrapped: BatchSizedBuffers {
    /// The buffers held here when they are for `batchSize`; otherwise those `make` creates, stored
    /// here (the old ones released first, so that the two never coexist).
    mutating func fitted(batchSize: Int, _ make: () -> Wrapped) -> Wrapped {
        if let buffers = self, buffers.batchSize == batchSize { return buffers }
        self = nil
        let created = make()
        self = created
        return created
    }
}

extension StepBuffers: BatchSizedBuffers {}
extension MapBuffers: BatchSizedBuffers {}
extension BackpropagationBuffers: BatchSizedBuffers {}
extension OnlineBuffers: BatchSizedBuffers {}
