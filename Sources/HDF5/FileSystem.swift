import Foundation

/// POSIX steps of a durable write; each failure is an `HDF5Error.fileSystem` naming the path,
/// the operation and the system's reason.
enum FileSystem {
    /// Creates `path` (which must not exist), writes `bytes` to it and fsyncs it.
    static func write(_ bytes: [UInt8], to path: String) throws(HDF5Error) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("create", path) }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw failure("write", path) }
            offset += count
        }
        try check("fsync", path) { fsync(descriptor) }
    }

    /// fsync of a file or directory.
    static func synchronize(_ path: String) throws(HDF5Error) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path) }
        defer { close(descriptor) }
        try check("fsync", path) { fsync(descriptor) }
    }

    static func check(_ operation: String, _ path: String, _ body: () -> Int32) throws(HDF5Error) {
        guard body() == 0 else { throw failure(operation, path) }
    }

    private static func failure(_ operation: String, _ path: String) -> HDF5Error {
        .fileSystem(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
