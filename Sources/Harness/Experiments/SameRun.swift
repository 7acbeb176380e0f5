/// The row of another experiment file whose runs a row's are at one profile (`same_run_as`),
/// resolved against the file that holds it: the runner trains nothing for the row and the
/// report reads the other row's result files, `<results>/<table>/<row>/seed-<k>.h5`.
public struct SameRun: Equatable, Sendable, CustomStringConvertible {
    public var reference: RunReference
    /// The experiment file that holds the row, as found beside the referring one.
    public var file: String
    /// That file's table as the paper names it ("Table 1").
    public var tableName: String

    public init(reference: RunReference, file: String, tableName: String) {
        self.reference = reference
        self.file = file
        self.tableName = tableName
    }

    public var table: String { reference.table }
    public var row: String { reference.row }

    /// `table1/mnist-if`
    public var description: String { reference.description }

    /// "Table 1 `mnist-if`", as the report names it.
    public var label: String { "\(tableName) `\(row)`" }

    /// The result file of `seed` under `root`.
    public func resultPath(in root: String, seed: Int) -> String {
        ResultStore.resultPath(in: root, table: table, row: row, seed: seed)
    }

    /// The command that trains the row's runs (it runs at `profile`).
    public func command(_ profile: Profile) -> String {
        "fsnn run \(file) --profile \(profile.rawValue) --rows \(row)"
    }
}
