/// Non-negative integers written as a comma-separated list of numbers and inclusive ranges, as
/// the command line takes seeds and sample indices: `0-31`, `0,3,7`, `0-4,10`.
public enum IndexList {
    /// A list never holds more integers than this, so no range allocates unchecked memory.
    public static let maximumCount = 100_000

    /// The integers in the order written; throws when `text` is not such a list or would hold
    /// more than `maximumCount` integers.
    public static func parse(_ text: String) throws(IndexListError) -> [Int] {
        var ranges: [ClosedRange<Int>] = [], count = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let first = Int(bounds[0]), let last = Int(bounds[bounds.count - 1]),
                  first >= 0, first <= last else {
                throw IndexListError(text: text, part: String(part))
            }
            count += last - first < maximumCount ? last - first + 1 : maximumCount + 1
            guard count <= maximumCount else { throw IndexListError(text: text, part: String(part), isTooLong: true) }
            ranges.append(first...last)
        }
        return ranges.flatMap { Array($0) }
    }
}

/// A list that `IndexList.parse` cannot read.
public struct IndexListError: Error, Equatable, CustomStringConvertible {
    public let text: String
    public let part: String
    /// The list is well formed but holds more than `IndexList.maximumCount` integers.
    public var isTooLong = false

    public var description: String {
        if isTooLong { return "'\(text)': with '\(part)' the list has more than \(IndexList.maximumCount) numbers" }
        return "'\(text)': '\(part)' is not a number ≥ 0 or a range a-b with a ≤ b (write e.g. 0-31 or 0,3,7)"
    }
}
