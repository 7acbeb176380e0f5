import Tensor

/// Decodes the batches of one epoch in order; runs on whichever thread calls `next()`.
struct BatchProducer: Sendable {
    let split: any DatasetSplit
    let order: [Int]
    let batchSize: Int
    var augmentation: RandomGenerator
    private var start = 0

    init(split: any DatasetSplit, order: [Int], batchSize: Int, augmentation: RandomGenerator) {
        self.split = split
        self.order = order
        self.batchSize = batchSize
        self.augmentation = augmentation
    }

    mutating func next() -> Batch? {
        guard start < order.count else { return nil }
        let indices = Array(order[start..<min(start + batchSize, order.count)])
        start += indices.count
        let inputs = Tensor(zeros: [indices.count] + split.sampleShape)
        let stride = split.sampleElementCount
        for (row, index) in indices.enumerated() {
            split.writeSample(index, to: inputs.pointer + row * stride, using: &augmentation)
        }
        let labels = split.labels
        return Batch(inputs: inputs, labels: indices.map { labels[$0] }, indices: indices)
    }
}
