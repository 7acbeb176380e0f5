/// One problem in an experiment file, located at `file:line:column` and named by its field path
/// (`rows[2].neuron.lambda`).
public struct ExperimentIssue: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line and column (columns count Unicode scalars), as editors show them.
    public var line: Int
    public var column: Int
    /// The field path, or "(document)" for the file as a whole.
    public var field: String
    public var message: String

    public init(file: String, line: Int, column: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `experiments/table1.yaml:23:5: rows[2].neuron.lambda: 1.5 is outside (0, 1]`
    public var description: String { "\(file):\(line):\(column): \(field): \(message)" }
}

/// Why an experiment file cannot be used.
public enum ExperimentError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The file parsed but breaks the schema or the rules; every problem found is listed.
    case invalid([ExperimentIssue])

    /// The located problems (empty for `unreadable`).
    public var issues: [ExperimentIssue] {
        if case let .invalid(issues) = self { return issues }
        return []
    }

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read: \(reason)"
        case let .invalid(issues): return issues.map(\.description).joined(separator: "\n")
        }
    }
}
