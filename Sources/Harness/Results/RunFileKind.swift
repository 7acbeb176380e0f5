import HDF5

/// Which of fsnn's two HDF5 files a file is, by its top-level objects: a result file has
/// `/@layout_version` and `/config`, a checkpoint `/weights`, `/progress` and `/metadata`. Each
/// reader checks first, so that a result file given as a checkpoint (or the reverse) is named as
/// such instead of failing on its first missing object.
enum RunFileKind: Sendable, CustomStringConvertible {
    case result
    case checkpoint

    /// "a result file", "a checkpoint".
    var description: String {
        switch self {
        case .result: return "a result file"
        case .checkpoint: return "a checkpoint"
        }
    }

    /// Where each kind's files go, for the message of a file of the other kind.
    private var home: String {
        switch self {
        case .result: return "result files are <results>/<table>/<row>/seed-<k>.h5"
        case .checkpoint: return "checkpoints are <runs>/<table>/<row>/seed-<k>.checkpoint.h5"
        }
    }

    /// The top-level objects that make a file of this kind.
    private var objects: String {
        switch self {
        case .result: return "/@layout_version and /config"
        case .checkpoint: return "/weights, /progress and /metadata"
        }
    }

    /// Whether `file` has this kind's top-level objects.
    private func matches(_ file: HDF5File) throws -> Bool {
        switch self {
        case .result: return try file.hasAttribute("layout_version") && file.contains("/config")
        case .checkpoint: return try ["/weights", "/progress", "/metadata"].allSatisfy(file.contains)
        }
    }

    /// Throws `RunFileError.wrongKind` unless `file` is of this kind.
    func check(_ file: HDF5File) throws {
        guard try !matches(file) else { return }
        let other: RunFileKind = self == .result ? .checkpoint : .result
        let found = try other.matches(file) ? "it is \(other); \(home)" : "it lacks \(description)'s \(objects)"
        throw RunFileError.wrongKind(file: file.path, expected: description, found: found)
    }
}
