import Datasets
import Tensor
import Testing

/// A split with given labels, sorted by label as the N-MNIST folders are.
struct LabelledSplit: DatasetSplit {
    let labels: [Int]
    let classCount: Int
    var identifier: String { "labelled" }
    var sampleShape: [Int] { [1] }
    var isAugmented: Bool { false }

    /// `counts[c]` samples of class c, in label order.
    init(counts: [Int]) {
        labels = counts.enumerated().flatMap { [Int](repeating: $0.offset, count: $0.element) }
        classCount = counts.count
    }

    func writeSample(_ index: Int, to destination: UnsafeMutablePointer<Float>, using generator: inout RandomGenerator) {
        destination[0] = Float(index)
    }
}

@Suite struct StratifiedOrderTests {
    /// The largest deviation, over all prefixes and classes, of a class's count from its share
    /// m·n_c/N, less the bound max(1, C·n_c/N) the order promises (≤ 0 when it holds).
    static func worstExcess(_ order: [Int], of split: LabelledSplit) -> Double {
        let total = Double(split.count), classes = Double(split.labelHistogram.filter { $0 > 0 }.count)
        let sizes = split.labelHistogram.map(Double.init)
        var counts = [Double](repeating: 0, count: split.classCount)
        var worst = -Double.infinity
        for (m, index) in order.enumerated() {
            counts[split.labels[index]] += 1
            for c in 0..<split.classCount {
                let deviation = abs(counts[c] - Double(m + 1) * sizes[c] / total)
                worst = max(worst, deviation - max(1, classes * sizes[c] / total))
            }
        }
        return worst
    }

    /// The N-MNIST subset's test folders (8, 14, 8, 11, 14, 7, 10, 15, 2, 11 samples), MNIST-like
    /// balance, a class with one sample, an empty class, and one class alone.
    static let splits: [[Int]] = [
        [8, 14, 8, 11, 14, 7, 10, 15, 2, 11], [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
        [100, 1, 50], [5, 0, 7], [12],
    ]

    @Test(arguments: splits)
    func everyPrefixHoldsEachClassInProportion(counts: [Int]) {
        let split = LabelledSplit(counts: counts)
        for seed in UInt64(0)..<5 {
            var generator = RandomGenerator(seed: seed)
            let order = split.stratifiedOrder(using: &generator)
            #expect(order.sorted() == Array(0..<split.count), "a permutation of the split")
            #expect(Self.worstExcess(order, of: split) <= 1e-9, "seed \(seed)")
            let present = Set(split.labels)
            #expect(Set(order.prefix(present.count).map { split.labels[$0] }) == present,
                    "the first samples are one of each class")
        }
    }

    /// Balanced classes: every prefix within one sample of its share, so the first C samples
    /// are one of each class, even though the split is sorted by label.
    @Test func balancedClassesAlternate() {
        let split = LabelledSplit(counts: [Int](repeating: 30, count: 10))
        var generator = RandomGenerator(seed: 7)
        let order = split.stratifiedOrder(using: &generator)
        for start in stride(from: 0, to: 300, by: 10) {
            #expect(Set(order[start..<(start + 10)].map { split.labels[$0] }) == Set(0..<10))
        }
    }

    @Test func theSeedDecidesTheOrder() {
        let split = LabelledSplit(counts: [8, 14, 8, 11, 14, 7, 10, 15, 2, 11])
        func order(_ seed: UInt64) -> [Int] {
            var generator = RandomGenerator(seed: seed)
            return split.stratifiedOrder(using: &generator)
        }
        #expect(order(3) == order(3))
        #expect(order(3) != order(4))
    }
}
