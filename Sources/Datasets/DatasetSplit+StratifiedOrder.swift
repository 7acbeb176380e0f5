import Tensor

extension DatasetSplit {
    /// Every sample index once, in a seeded class-stratified order. Each class's samples are put
    /// in a random order of their own (one permutation per class, drawn in label order), and
    /// sample k (0-based) of class c, which has n_c samples, is given the key k / n_c; the
    /// samples are merged by ascending key, ties by label.
    ///
    /// The first C samples are one of each of the C classes present (all keys 0), and every
    /// prefix of m samples holds class c within max(1, C·n_c / N) samples of its share
    /// m·n_c / N (N samples; within one sample when the classes are balanced). So the first m
    /// samples — a subset, or the test batches before a cap — see every class as the whole split
    /// does, even when the files are sorted by label (the N-MNIST folders).
    public func stratifiedOrder(using generator: inout RandomGenerator) -> [Int] {
        var members = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() { members[label].append(index) }
        /// Key k / n_c as its numerator and denominator, compared exactly.
        var keyed: [(numerator: Int, denominator: Int, label: Int, index: Int)] = []
        keyed.reserveCapacity(count)
        for (label, indices) in members.enumerated() where !indices.isEmpty {
            for (k, position) in generator.permutation(indices.count).enumerated() {
                keyed.append((k, indices.count, label, indices[position]))
            }
        }
        keyed.sort { a, b in
            let (left, right) = (a.numerator * b.denominator, b.numerator * a.denominator)
            return left != right ? left < right : a.label < b.label
        }
        return keyed.map(\.index)
    }
}
