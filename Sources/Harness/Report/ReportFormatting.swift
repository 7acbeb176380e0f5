import Foundation

/// Number formats of the report: fixed decimals, a true minus sign, "—" for absent values.
enum ReportFormat {
    static let dash = "—"

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") ? "−" + text.dropFirst() : text
    }

    /// "+0.12", "−0.30"
    static func signed(_ value: Double, _ decimals: Int) -> String {
        value >= 0 ? "+" + fixed(value, decimals) : fixed(value, decimals)
    }

    /// Over seeds: "89.95 ± 0.08 [89.85, 90.05]", mean ± std with the 95 % t-interval of the
    /// mean; one run: "89.93 [89.33, 90.51] (n = 1)" with `single`'s 95 % Wilson interval for
    /// its test-set size (none for a mean over epochs); "—" for none.
    static func accuracy(_ summary: SampleSummary?, single: WilsonInterval? = nil) -> String {
        guard let summary else { return dash }
        let mean = fixed(summary.mean, 2)
        guard let std = summary.standardDeviation, let half = summary.confidenceHalfWidth else {
            let interval = single.map { " [\(fixed(100 * $0.low, 2)), \(fixed(100 * $0.high, 2))]" } ?? ""
            return "\(mean)\(interval) (n = \(summary.count))"
        }
        return "\(mean) ± \(fixed(std, 2)) [\(fixed(summary.mean - half, 2)), \(fixed(summary.mean + half, 2))]"
    }

    /// "89.93 (n = 1)", "89.95 ± 0.08 (n = 5)": mean ± std without an interval.
    static func meanAndSpread(_ summary: SampleSummary?, decimals: Int = 2) -> String {
        guard let summary else { return dash }
        let std = summary.standardDeviation.map { " ± \(fixed($0, decimals))" } ?? ""
        return "\(fixed(summary.mean, decimals))\(std) (n = \(summary.count))"
    }

    static func paper(_ result: PaperResult?) -> String {
        guard let result else { return dash }
        var text = fixed(result.mean, 2)
        if let std = result.std { text += " ± \(fixed(std, 2))" }
        if let best = result.best { text += " (\(fixed(best, 2)))" }
        return text
    }

    /// Mebibytes with one decimal.
    static func mebibytes(_ bytes: Double) -> String { fixed(bytes / 1_048_576, 1) }

    /// Mebibytes with two decimals and a sign: "+1.53", "−0.01".
    static func signedMebibytes(_ bytes: Double) -> String { signed(bytes / 1_048_576, 2) }

    /// A fraction as percent with three decimals: 0.00712 → "0.712 %".
    static func percent(_ fraction: Double) -> String { fixed(fraction * 100, 3) + " %" }

    /// 1.5e6 → "1.50 M", 2.3e3 → "2.30 k".
    static func count(_ value: Double) -> String {
        switch abs(value) {
        case 1e9...: return fixed(value / 1e9, 2) + " G"
        case 1e6...: return fixed(value / 1e6, 2) + " M"
        case 1e3...: return fixed(value / 1e3, 2) + " k"
        default: return fixed(value, 1)
        }
    }

    /// A residual in scientific notation with three significant digits.
    static func scientific(_ value: Double) -> String {
        guard value.isFinite else { return fixed(value, 0) }
        let text = String(format: "%.2e", value)
        return text.hasPrefix("-") ? "−" + text.dropFirst() : text
    }
}

/// A GitHub-flavoured Markdown table.
struct MarkdownTable {
    let header: [String]
    /// Columns after the first are right-aligned when true.
    var numericColumns: Set<Int> = []
    private(set) var rows: [[String]] = []

    init(_ header: [String], numericColumns: Set<Int> = []) {
        self.header = header
        self.numericColumns = numericColumns
    }

    mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "a table row needs \(header.count) cells")
        rows.append(row)
    }

    var markdown: String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        let rule = "|" + header.indices.map { numericColumns.contains($0) ? "---:" : "---" }.joined(separator: "|") + "|"
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
