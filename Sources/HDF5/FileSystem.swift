import Foundation

/// POSIX steps of a durable write.
enum FileSystem {
    /// fsync of a file or directory.
    static func synchronize(_ path: String) throws(HDF5Error) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .fileSystem(path: path, operation: "open", reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        try check("fsync", path) { fsync(descriptor) }
    }

    static func check(_ operation: String, _ path: String, _ body: () -> Int32) throws(HDF5Error) {
        guard body() == 0 else {
            throw .fileSystem(path: path, operation: operation, reason: String(cString: strerror(errno)))
        }
    }
}
