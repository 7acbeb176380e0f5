import Foundation
import Harness
import TestSupport
import Testing

/// Experiment files that are not files, too large, or nested beyond what the parser survives are
/// refused with the path (and line:column) before Yams sees them (issue 11: a FIFO was reported as
/// "You don't have permission", 5,000 nested `[` overflowed the stack).
@Suite struct ExperimentFileSafetyTests {
    let folder: TemporaryDirectory

    init() throws { folder = try TemporaryDirectory() }

    func write(_ name: String, _ text: String) throws -> String {
        let path = folder.file(name)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// The one located issue `text` gives, as `line:column: message`.
    func issue(_ text: String) -> String? {
        do {
            _ = try Experiment(text: text, path: "deep.yaml")
        } catch {
            return error.issues.map { "\($0.line):\($0.column): \($0.message)" }.first
        }
        return nil
    }

    @Test func aFIFOIsNotARegularFile() throws {
        let path = folder.file("table.yaml")
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: ExperimentError.unreadable(file: path, reason: "not a regular file (a FIFO)")) {
            try Experiment(contentsOf: path)
        }
    }

    @Test func aDirectoryIsNotARegularFile() throws {
        let path = folder.file("table.yaml")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        #expect(throws: ExperimentError.unreadable(file: path, reason: "not a regular file (a directory)")) {
            try Experiment(contentsOf: path)
        }
    }

    @Test func aFileBeyondTheMaximumSizeIsRefusedUnread() throws {
        let lines = Experiment.maximumFileSize / 10 + 1
        let path = try write("big.yaml", String(repeating: "# padding\n", count: lines))
        #expect(throws: ExperimentError.unreadable(
            file: path, reason: "\(lines * 10) bytes, more than the \(Experiment.maximumFileSize) an experiment file may hold")) {
            try Experiment(contentsOf: path)
        }
    }

    @Test func deepFlowNestingIsRefusedAtTheFirstBracketTooMany() {
        let message = issue("x: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000))
        // Block depth 1 (the mapping) + 64 brackets = 65: the 64th bracket, at column 3 + 64.
        #expect(message?.hasPrefix("1:67: nested deeper than 64 levels") == true, "\(message ?? "none")")
    }

    @Test func deepBlockMappingsAreRefusedAtTheFirstLineTooDeep() {
        let text = (0..<3000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1"
        #expect(issue(text)?.hasPrefix("65:65: nested deeper than 64 levels") == true)
    }

    @Test func compactNestedSequencesCount() {
        #expect(issue("x:\n" + String(repeating: "- ", count: 3000) + "1")?.hasPrefix("2:127: nested") == true)
    }

    /// Aliases that would expand to 10⁹ scalars ("billion laughs"): Yams shares an anchored node
    /// instead of copying it, so the file composes at once; it is refused by the expansion bound
    /// before the decoder walks it, within the bound's 100,000 visits.
    @Test func aliasesThatWouldExpandABillionTimesAreRefusedByTheExpansionBound() {
        var lines = ["table: t", "title: x", "kind: accuracy", "l0: &l0 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"]
        for level in 1...8 {
            lines.append("l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        lines += ["defaults: {seeds: *l8, milestones: *l8}", "profiles: {paper: {}, quick: {}, smoke: {}}",
                  "rows:", "  - id: a"]
        // The node at which the count passes the bound is an element of l0 (line 4); aliases share its mark.
        #expect(issue(lines.joined(separator: "\n"))
            == "4:37: more than 100000 values once its aliases (*name) are expanded; an experiment file needs about 1000")
    }

    /// Aliases within the bound are YAML as usual: a list anchored in the defaults, used by a row.
    @Test func aliasesWithinTheBoundAreExpanded() throws {
        let text = tinyExperiment(defaults: ["seeds: &seeds [0, 1]"], rows: [("a", []), ("b", ["seeds: *seeds"])])
        let experiment = try Experiment(text: text, path: "aliases.yaml")
        #expect(experiment.runs(.quick).map(\.seeds) == [[0, 1], [0, 1]])
    }

    /// Brackets in quoted scalars, comments and block scalars are text, not nesting.
    @Test func bracketsInTextAreNotNesting() {
        let brackets = String(repeating: "[", count: 100)
        let text = "a: '\(brackets)'\nb: \"\(brackets)\"\nc: 1 # \(brackets)\nnotes: >-\n  \(brackets)\n  more\n"
        #expect(issue(text)?.contains("nested") == false)
    }
}
