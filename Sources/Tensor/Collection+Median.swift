extension Collection where Element == Double {
    /// The median: the middle value, or the mean of the two middle values for an even count;
    /// nil for an empty collection.
    public func median() -> Double? {
        guard !isEmpty else { return nil }
        let sorted = self.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
