import Foundation

/// The type of the file-system entry at a path, checked before fsnn opens, replaces, removes or
/// lists a file: opening a FIFO blocks until a writer comes, a device may never end, and a
/// directory or a link loop where a file belongs would otherwise surface as some library's error,
/// far from its cause. Data files, experiment files and every file on the output side (result
/// files, checkpoints, locks, figures, the report) are checked with it.
public enum FileKind: Equatable, Sendable, CustomStringConvertible {
    case regular
    case directory
    case fifo
    case characterDevice
    case blockDevice
    case socket
    case symbolicLink
    /// A type this list does not name: its `st_mode & S_IFMT` bits.
    case other(UInt32)

    /// The kind that `mode` (a `stat` result's `st_mode`) encodes.
    public init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        case S_IFLNK: self = .symbolicLink
        default: self = .other(UInt32(mode & S_IFMT))
        }
    }

    /// What `path` names: with symbolic links followed (`stat`), or the entry itself
    /// (`lstat`, `followingLinks: false`); nil when there is no entry (nothing by that name, or a
    /// component of the path that is not a folder). Throws when the path cannot be examined: a
    /// symbolic link loop, a dangling link (when followed), no permission.
    public init?(at path: String, followingLinks: Bool = true) throws(FileKindError) {
        guard let status = try Self.status(of: path, followingLinks: followingLinks) else { return nil }
        self.init(mode: status.st_mode)
    }

    /// The size in bytes of the regular file at `path`, or why `path` is not one: "No such file
    /// or directory", "not a regular file (a FIFO)", "symbolic link loop", …
    public static func regularFileSize(at path: String) throws(FileKindError) -> Int {
        guard let status = try status(of: path, followingLinks: true) else {
            throw FileKindError(path: path, reason: String(cString: strerror(ENOENT)))
        }
        let kind = FileKind(mode: status.st_mode)
        guard kind == .regular else { throw FileKindError(path: path, notRegular: kind) }
        return Int(status.st_size)
    }

    /// "a regular file", "a directory", "a FIFO", …
    public var description: String {
        switch self {
        case .regular: return "a regular file"
        case .directory: return "a directory"
        case .fifo: return "a FIFO"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .socket: return "a socket"
        case .symbolicLink: return "a symbolic link"
        case let .other(bits): return "file type \(String(bits, radix: 8))"
        }
    }

    /// `stat` or `lstat` of `path`; nil when no entry exists (a dangling link followed is an error).
    private static func status(of path: String, followingLinks: Bool) throws(FileKindError) -> stat? {
        var status = stat()
        if (followingLinks ? stat(path, &status) : lstat(path, &status)) == 0 { return status }
        let code = errno
        var link = stat()
        switch code {
        case ENOENT where followingLinks && lstat(path, &link) == 0:
            throw FileKindError(path: path, reason: "dangling symbolic link")
        case ENOENT, ENOTDIR:
            return nil
        case ELOOP:
            throw FileKindError(path: path, reason: "symbolic link loop")
        default:
            throw FileKindError(path: path, reason: String(cString: strerror(code)))
        }
    }
}

/// Why a path is not the kind of entry it must be, or cannot be examined.
public struct FileKindError: Error, Equatable, CustomStringConvertible {
    public let path: String
    /// "not a regular file (a FIFO)", "symbolic link loop", "Permission denied", …
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `path` is `kind` where a regular file belongs.
    public init(path: String, notRegular kind: FileKind) {
        self.init(path: path, reason: "not a regular file (\(kind))")
    }

    public var description: String { "\(path): \(reason)" }
}
