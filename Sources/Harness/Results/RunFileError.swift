/// A result or checkpoint file that is readable HDF5 but not in fsnn's layout, or a value that
/// cannot be stored in it, or a folder for them that cannot be made.
public enum RunFileError: Error, Equatable, CustomStringConvertible {
    /// `object` in `file` does not hold what the layout requires.
    case invalidLayout(file: String, object: String, reason: String)
    /// A tensor, stream or scalar name that cannot be an HDF5 link name.
    case invalidName(file: String, name: String, reason: String)
    /// A file-system step (`mkdir`, creating a file) failed at `path`.
    case fileSystem(path: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidLayout(file, object, reason): return "\(file): \(object): \(reason)"
        case let .invalidName(file, name, reason): return "\(file): name '\(name)': \(reason)"
        case let .fileSystem(path, operation, reason): return "\(path): \(operation) failed: \(reason)"
        }
    }
}
