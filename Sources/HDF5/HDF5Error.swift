/// A failed HDF5 operation. Every case names the file and the object path inside it, so a
/// message reads like `results/table1/mnist-if/seed-0.h5: /epochs/test_acc: …`.
public enum HDF5Error: Error, Equatable, CustomStringConvertible {
    /// The C library reported a failure. `operation` is the C function, `reason` the messages of
    /// HDF5's error stack (outermost first).
    case library(file: String, object: String, operation: String, reason: String)
    /// A checksum HDF5 keeps failed on reading: the Fletcher32 checksum of a dataset's data, or
    /// that of an object header (attributes, scalar datasets) or other metadata. The file was
    /// changed or damaged after it was written; `reason` is HDF5's error stack.
    case damaged(file: String, object: String, reason: String)
    /// No object (or attribute) of that name exists.
    case missing(file: String, object: String)
    /// The stored element type differs from the requested one (e.g. a string read as numbers).
    case typeMismatch(file: String, object: String, expected: String, found: String)
    /// The stored shape differs from the requested one (e.g. a 1-d dataset read as a scalar).
    case shapeMismatch(file: String, object: String, expected: String, found: [Int])
    /// Values and shape of a write disagree, or a path component cannot be an HDF5 link name.
    case invalidArgument(file: String, object: String, reason: String)
    /// A file-system step of an atomic write (fsync, rename, unlink) failed.
    case fileSystem(path: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case let .library(file, object, operation, reason):
            return "\(file): \(object): \(operation) failed: \(reason)"
        case let .damaged(file, object, reason):
            return "\(file): \(object): damaged: its stored checksum does not match its content, so the file was "
                + "changed or corrupted after it was written (\(reason))"
        case let .missing(file, object):
            return "\(file): \(object): no such object"
        case let .typeMismatch(file, object, expected, found):
            return "\(file): \(object): expected \(expected), found \(found)"
        case let .shapeMismatch(file, object, expected, found):
            return "\(file): \(object): expected \(expected), found shape \(found)"
        case let .invalidArgument(file, object, reason):
            return "\(file): \(object): \(reason)"
        case let .fileSystem(path, operation, reason):
            return "\(path): \(operation) failed: \(reason)"
        }
    }
}
