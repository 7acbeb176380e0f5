import Datasets
import Foundation
import Tensor
import Testing

/// A split whose sample i is filled with i, optionally taking `delay` seconds per sample (to
/// observe prefetching) and drawing one number per sample (to observe the augmentation stream).
struct CountingSplit: DatasetSplit {
    let count: Int
    var delay = 0.0
    var isAugmented = false
    var identifier: String { "counting" }
    var sampleShape: [Int] { [2, 3] }
    var classCount: Int { 7 }
    var labels: [Int] { (0..<count).map { $0 % 7 } }

    func writeSample(_ index: Int, to destination: UnsafeMutablePointer<Float>, using generator: inout RandomGenerator) {
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        let noise = isAugmented ? generator.nextUniform() : 0
        for k in 0..<6 { destination[k] = Float(index) + noise }
    }
}

@Suite struct BatcherTests {
    func epoch(_ batcher: Batcher) -> [Batch] { Array(batcher.nextEpoch()) }

    func bits(_ batches: [Batch]) -> [[UInt32]] { batches.map { $0.inputs.scalars.map(\.bitPattern) } }

    /// Batches are charged to `MemoryTracker.dataPipeline`, decoded on the consumer's thread or ahead
    /// of it on the background one, so that a training step's peak (read from the process tracker)
    /// does not depend on how far ahead the decoder is.
    @Test(arguments: [false, true])
    func batchesAreChargedToTheDataPipeline(prefetches: Bool) throws {
        let batcher = try Batcher(split: CountingSplit(count: 8), batchSize: 4, generator: RandomGenerator(seed: 1),
                                  prefetches: prefetches)
        for batch in epoch(batcher) {
            #expect(batch.inputs.isCharged(to: .dataPipeline))
            #expect(!batch.inputs.isCharged(to: .process))
        }
    }

    @Test(arguments: [false, true])
    func everySampleOnceWithLastPartialBatchKept(prefetches: Bool) throws {
        let split = CountingSplit(count: 23)
        let batcher = try Batcher(split: split, batchSize: 5, generator: RandomGenerator(seed: 1), prefetches: prefetches)
        #expect(batcher.batchesPerEpoch == 5)
        var orders = [[Int]]()
        for _ in 0..<3 {
            let batches = epoch(batcher)
            #expect(batches.map { $0.inputs.shape } == [[5, 2, 3], [5, 2, 3], [5, 2, 3], [5, 2, 3], [3, 2, 3]])
            let order = batches.flatMap(\.indices)
            #expect(order.sorted() == Array(0..<23))
            for batch in batches {
                #expect(batch.labels == batch.indices.map { $0 % 7 })
                #expect(batch.inputs.scalars == batch.indices.flatMap { [Float](repeating: Float($0), count: 6) })
            }
            orders.append(order)
        }
        #expect(Set(orders).count == 3, "each epoch draws a new permutation")
    }

    /// Evaluation visits the split's stratified order (never file order), the same every epoch.
    @Test func evaluationVisitsTheStratifiedOrderEveryEpoch() throws {
        let split = CountingSplit(count: 10)
        let batcher = try Batcher(split: split, batchSize: 4, generator: RandomGenerator(seed: 1), shuffles: false)
        var streams = RandomGenerator(seed: 1)
        _ = (streams.split(), streams.split())
        var orderStream = streams.split()
        let order = split.stratifiedOrder(using: &orderStream)
        #expect(batcher.sampleIndices == order && order != Array(0..<10))
        #expect(epoch(batcher).map(\.indices) == [Array(order[0..<4]), Array(order[4..<8]), Array(order[8..<10])])
        #expect(epoch(batcher).flatMap(\.indices) == order)
    }

    /// The same seed gives bit-identical batches with and without prefetching, and with a consumer
    /// slower than the producer; another seed gives other batches.
    @Test func batchesDependOnlyOnTheSeed() throws {
        let split = CountingSplit(count: 30, isAugmented: true)
        func run(seed: UInt64, prefetches: Bool, consumerDelay: Double) throws -> [[UInt32]] {
            let batcher = try Batcher(split: split, batchSize: 4, generator: RandomGenerator(seed: seed), prefetches: prefetches)
            var batches = [Batch]()
            for _ in 0..<2 {
                for batch in batcher.nextEpoch() {
                    if consumerDelay > 0 { Thread.sleep(forTimeInterval: consumerDelay) }
                    batches.append(batch)
                }
            }
            return bits(batches)
        }
        let reference = try run(seed: 3, prefetches: false, consumerDelay: 0)
        #expect(try run(seed: 3, prefetches: true, consumerDelay: 0) == reference)
        #expect(try run(seed: 3, prefetches: true, consumerDelay: 0.002) == reference)
        #expect(try run(seed: 4, prefetches: true, consumerDelay: 0) != reference)
    }

    /// Restoring the state saved at the start of an epoch replays that epoch exactly; abandoning
    /// an epoch half-way does not change the epochs after it.
    @Test func stateRestoresAtEpochBoundaries() throws {
        let split = CountingSplit(count: 17, isAugmented: true)
        let batcher = try Batcher(split: split, batchSize: 4, generator: RandomGenerator(seed: 8))
        _ = epoch(batcher)
        let saved = batcher.state
        let second = bits(epoch(batcher)), third = bits(epoch(batcher))

        let resumed = try Batcher(split: split, batchSize: 4, generator: RandomGenerator(seed: 8))
        resumed.state = saved
        #expect(bits(epoch(resumed)) == second)
        #expect(bits(epoch(resumed)) == third)

        let interrupted = try Batcher(split: split, batchSize: 4, generator: RandomGenerator(seed: 8))
        _ = epoch(interrupted)
        do {
            let abandoned = interrupted.nextEpoch()
            _ = abandoned.next()
        }
        #expect(bits(epoch(interrupted)) == third)
    }

    /// A training subset is the first n of the stratified order, kept in index order and permuted
    /// every epoch; an evaluation subset is the same n samples in the stratified order. Both are
    /// seeded: the same seed, the same samples.
    @Test func subsetsAreStratifiedAndSeeded() throws {
        let split = CountingSplit(count: 100)
        let training = try Batcher(split: split, batchSize: 8, generator: RandomGenerator(seed: 2), subset: .stratified(21))
        let again = try Batcher(split: split, batchSize: 8, generator: RandomGenerator(seed: 2), subset: .stratified(21))
        let other = try Batcher(split: split, batchSize: 8, generator: RandomGenerator(seed: 3), subset: .stratified(21))
        let evaluation = try Batcher(split: split, batchSize: 8, generator: RandomGenerator(seed: 2), shuffles: false,
                                     subset: .stratified(21))
        #expect(training.sampleIndices == again.sampleIndices)
        #expect(training.sampleIndices != other.sampleIndices)
        #expect(training.sampleIndices == training.sampleIndices.sorted() && Set(training.sampleIndices).count == 21)
        #expect(evaluation.sampleIndices.sorted() == training.sampleIndices && evaluation.sampleIndices != training.sampleIndices)
        // 7 classes of 100 samples (15 of labels 0 and 1, 14 of the others): 3 of each in 21.
        #expect(Dictionary(grouping: training.sampleIndices, by: { $0 % 7 }).mapValues(\.count) == Dictionary(
            uniqueKeysWithValues: (0..<7).map { ($0, 3) }))
        #expect(epoch(training).flatMap(\.indices).sorted() == training.sampleIndices)
        #expect(epoch(evaluation).flatMap(\.indices) == evaluation.sampleIndices)

        // The whole split as a "subset" is the whole split: training draws exactly what `.all` draws.
        let whole = try Batcher(split: split, batchSize: 8, generator: RandomGenerator(seed: 2), subset: .stratified(100))
        let all = try Batcher(split: split, batchSize: 8, generator: RandomGenerator(seed: 2))
        #expect(whole.sampleIndices == Array(0..<100) && epoch(whole).map(\.indices) == epoch(all).map(\.indices))
    }

    /// A batcher over given samples visits them in the order given.
    @Test func givenSamplesAreVisitedInOrder() throws {
        let split = CountingSplit(count: 10)
        let batcher = try Batcher(split: split, batchSize: 2, sampleIndices: [7, 3, 9], generator: RandomGenerator(seed: 1))
        #expect(epoch(batcher).map(\.indices) == [[7, 3], [9]])
        #expect(throws: DatasetError.self) {
            try Batcher(split: split, batchSize: 2, sampleIndices: [3, 10], generator: RandomGenerator(seed: 1))
        }
        #expect(throws: DatasetError.self) {
            try Batcher(split: split, batchSize: 2, sampleIndices: [], generator: RandomGenerator(seed: 1))
        }
    }

    @Test func invalidSettingsAreTypedErrors() {
        let split = CountingSplit(count: 10)
        #expect(throws: DatasetError.self) { try Batcher(split: split, batchSize: 0, generator: RandomGenerator(seed: 1)) }
        #expect(throws: DatasetError.self) {
            try Batcher(split: split, batchSize: 4, generator: RandomGenerator(seed: 1), subset: .stratified(11))
        }
        #expect(throws: DatasetError.self) {
            try Batcher(split: split, batchSize: 4, generator: RandomGenerator(seed: 1), subset: .stratified(0))
        }
    }

    /// With decoding (10 ms a batch) faster than training (30 ms a batch), prefetching hides all
    /// but the first batch's decode; without it the consumer waits for every batch. Sleeps, not
    /// CPU work, so the margins hold on a busy machine.
    @Test func prefetchingHidesDecodeTime() throws {
        let split = CountingSplit(count: 16, delay: 0.005)
        func waited(prefetches: Bool) throws -> (epoch: Double, total: Double) {
            let batcher = try Batcher(split: split, batchSize: 2, generator: RandomGenerator(seed: 1), prefetches: prefetches)
            let batches = batcher.nextEpoch()
            for _ in batches { Thread.sleep(forTimeInterval: 0.03) }
            return (batches.waitSeconds, batcher.waitSeconds)
        }
        let serial = try waited(prefetches: false), prefetched = try waited(prefetches: true)
        #expect(serial.epoch >= 8 * 0.010 && serial.total == serial.epoch)
        #expect(prefetched.epoch < 0.5 * serial.epoch, "waited \(prefetched.epoch) s with prefetching, \(serial.epoch) s without")
    }
}
