import Foundation

/// A result or checkpoint file that is readable HDF5 but not in fsnn's layout, or a value that
/// cannot be stored in it, or a file-system step on the output side that failed (a folder that
/// cannot be made, a FIFO where a result file belongs, a full disk under REPORT.md).
public enum RunFileError: Error, Equatable, CustomStringConvertible {
    /// `object` in `file` does not hold what the layout requires.
    case invalidLayout(file: String, object: String, reason: String)
    /// A tensor, stream or scalar name that cannot be an HDF5 link name.
    case invalidName(file: String, name: String, reason: String)
    /// An HDF5 file of another kind than `expected` (a result file given as a checkpoint).
    case wrongKind(file: String, expected: String, found: String)
    /// A file-system step (`mkdir`, creating, replacing or opening a file) failed at `path`.
    case fileSystem(path: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidLayout(file, object, reason): return "\(file): \(object): \(reason)"
        case let .invalidName(file, name, reason): return "\(file): name '\(name)': \(reason)"
        case let .wrongKind(file, expected, found): return "\(file): not \(expected): \(found)"
        case let .fileSystem(path, operation, reason): return "\(path): \(operation) failed: \(reason)"
        }
    }
}

extension RunFileError {
    /// A Foundation error of `operation` on `path` as one line (`reason(of:)`).
    init(path: String, operation: String, _ error: any Error) {
        self = .fileSystem(path: path, operation: operation, reason: Self.reason(of: error))
    }

    /// The system's reason that a Foundation error wraps (NSCocoaErrorDomain 640 around ENOSPC
    /// says "No space left on device"), else Foundation's description, on one line.
    static func reason(of error: any Error) -> String {
        let error = error as NSError
        let underlying = (error.userInfo[NSUnderlyingErrorKey] as? any Error).map { $0 as NSError }
        let posix = [error, underlying].compactMap { $0 }.first { $0.domain == NSPOSIXErrorDomain }
        return posix.map { String(cString: strerror(Int32($0.code))) }
            ?? error.localizedDescription.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
