/// Buffers for one batch size and the network's layer shapes, allocated once and reused by every
/// batch of that size.
protocol BatchSizedBuffers: AnyObject {
    var batchSize: Int { get }
    init(batchSize: Int, layerShapes: [[Int]])
}

extension Optional where Wrapped: BatchSizedBuffers {
    /// The buffers held here when they are for `batchSize`; otherwise new ones, stored here (the
    /// old ones released first, so that the two never coexist).
    mutating func fitted(batchSize: Int, layerShapes: [[Int]]) -> Wrapped {
        if let buffers = self, buffers.batchSize == batchSize { return buffers }
        self = nil
        let created = Wrapped(batchSize: batchSize, layerShapes: layerShapes)
        self = created
        return created
    }
}

extension StepBuffers: BatchSizedBuffers {}
extension MapBuffers: BatchSizedBuffers {}
extension BackpropagationBuffers: BatchSizedBuffers {}
