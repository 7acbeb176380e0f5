/// Non-negative integers written as a comma-separated list of numbers and inclusive ranges, as
/// the command line takes seeds and sample indices: `0-31`, `0,3,7`, `0-4,10`.
public enum IndexList {
    /// The integers in the order written; throws when `text` is not such a list.
    public static func parse(_ text: String) throws(IndexListError) -> [Int] {
        var values: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let first = Int(bounds[0]), let last = Int(bounds[bounds.count - 1]),
                  first >= 0, first <= last else {
                throw IndexListError(text: text, part: String(part))
            }
            values += Array(first...last)
        }
        return values
    }
}

/// A list that `IndexList.parse` cannot read.
public struct IndexListError: Error, Equatable, CustomStringConvertible {
    public let text: String
    public let part: String

    public var description: String {
        "'\(text)': '\(part)' is not a number ≥ 0 or a range a-b with a ≤ b (write e.g. 0-31 or 0,3,7)"
    }
}
