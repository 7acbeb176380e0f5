/// A row of another experiment file, written `<table>/<row>` (`table1/mnist-if`): the table is
/// the other file's `table:`, which is also its results directory, so the name says where the
/// runs are (`results/table1/mnist-if/seed-<k>.h5`).
public struct RunReference: Decodable, Hashable, Sendable, CustomStringConvertible {
    public var table: String
    public var row: String

    public init(table: String, row: String) {
        self.table = table
        self.row = row
    }

    /// Reads `<table>/<row>`: two non-empty parts around one '/' (whether each is a valid name is
    /// the validator's to say, with the other names).
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "'\(text)' must name a row of another experiment file as <table>/<row>, e.g. table1/mnist-if"))
        }
        table = String(parts[0])
        row = String(parts[1])
    }

    /// `table1/mnist-if`
    public var description: String { "\(table)/\(row)" }
}
