import Datasets
import Foundation
import HDF5

/// The files fsnn writes and reads back: result files, checkpoints, REPORT.md and its summaries,
/// figure data and images, inspection files. The type of each path is checked (`FileKind`)
/// before it is opened, replaced or removed: open(2) of a FIFO where a result file belongs
/// blocks until a writer comes, and a directory or a link loop there would surface as a raw
/// HDF5 or Foundation error. fsnn replaces and removes only regular files (and links, which a
/// rename replaces without following); anything else is left alone and named. Every failure is
/// a one-line `RunFileError.fileSystem` naming the path and the operation.
enum OutputFile {
    /// Whether any entry is at `path`: a FIFO, a directory or a link loop too (which
    /// `FileManager.fileExists` does not see), so that its reader can say what is wrong.
    static func exists(_ path: String) -> Bool {
        do { return try FileKind(at: path, followingLinks: false) != nil } catch { return true }
    }

    /// Checks that `path` names a readable regular file, links followed.
    static func checkReadable(_ path: String) throws(RunFileError) {
        do { _ = try FileKind.regularFileSize(at: path) } catch {
            throw .fileSystem(path: path, operation: "open", reason: error.reason)
        }
        guard access(path, R_OK) == 0 else {
            throw .fileSystem(path: path, operation: "open", reason: String(cString: strerror(errno)))
        }
    }

    /// Checks that a new file may be renamed over `path`: nothing is there, or a regular file, or
    /// a symbolic link (the rename replaces the link, not what it names).
    static func checkReplaceable(_ path: String) throws(RunFileError) {
        try check(path, operation: "replace", allowingLinks: true)
    }

    /// Checks that a program may open `path` to write it in place (gnuplot its images): nothing is
    /// there, or a regular file; a link is refused, since the write would go where it points.
    static func checkWritableInPlace(_ path: String) throws(RunFileError) {
        try check(path, operation: "write", allowingLinks: false)
    }

    /// Writes `text` to `path` atomically (Foundation writes a temporary file beside it and
    /// renames it over `path`), creating its folder.
    static func write(_ text: String, to path: String) throws(RunFileError) {
        try Directories.createParent(of: path)
        try checkReplaceable(path)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw RunFileError(path: path, operation: "write", error)
        }
    }

    /// Writes the HDF5 file that `body` fills to `path` atomically (`HDF5File.writeAtomically`),
    /// creating its folder.
    static func writeHDF5(to path: String, _ body: (HDF5File) throws -> Void) throws {
        try Directories.createParent(of: path)
        try checkReplaceable(path)
        try HDF5File.writeAtomically(to: path, body)
    }

    /// Opens the HDF5 file at `path` for reading, once `checkReadable` passed.
    static func openHDF5(_ path: String) throws -> HDF5File {
        try checkReadable(path)
        return try HDF5File.open(path)
    }

    /// Removes the file (or link) at `path`, when there is one.
    static func remove(_ path: String) throws(RunFileError) {
        try check(path, operation: "remove", allowingLinks: true)
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .fileSystem(path: path, operation: "remove", reason: String(cString: strerror(errno)))
        }
    }

    private static func check(_ path: String, operation: String, allowingLinks: Bool) throws(RunFileError) {
        let kind: FileKind?
        do { kind = try FileKind(at: path, followingLinks: false) } catch {
            throw .fileSystem(path: path, operation: operation, reason: error.reason)
        }
        guard let kind, kind != .regular, !(allowingLinks && kind == .symbolicLink) else { return }
        throw .fileSystem(path: path, operation: operation, reason: FileKindError(path: path, notRegular: kind).reason)
    }
}
