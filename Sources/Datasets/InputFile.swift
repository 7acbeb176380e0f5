import Foundation

/// A file opened for sequential binary reading; closed when released.
final class InputFile {
    let path: String
    /// Bytes in the file when it was opened.
    let size: Int
    private let handle: UnsafeMutablePointer<FILE>

    /// The file type is checked before opening (`FileKind`): opening a FIFO blocks until a
    /// writer comes, and a device may never end.
    init(_ path: String) throws(DatasetError) {
        do {
            _ = try FileKind.regularFileSize(at: path)
        } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        guard let handle = fopen(path, "rb") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        guard fstat(fileno(handle), &status) == 0 else {
            let reason = String(cString: strerror(errno))
            fclose(handle)
            throw .unreadable(path: path, reason: reason)
        }
        let kind = FileKind(mode: status.st_mode)
        guard kind == .regular else {
            fclose(handle)
            throw .unreadable(path: path, reason: FileKindError(path: path, notRegular: kind).reason)
        }
        self.path = path
        self.handle = handle
        size = Int(status.st_size)
    }

    deinit { fclose(handle) }

    /// Reads up to `count` bytes; returns how many were read, 0 at the end of the file.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(DatasetError) -> Int {
        let read = fread(buffer, 1, count, handle)
        if read < count && ferror(handle) != 0 {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        return read
    }
}
