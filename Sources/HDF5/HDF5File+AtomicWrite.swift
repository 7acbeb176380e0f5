import Foundation

extension HDF5File {
    /// Writes a complete file at `path` so that `path` is never seen half-written: `body` fills
    /// an in-memory file, whose bytes are then written to `<path>.tmp-<pid>` in the same
    /// directory, fsynced and renamed over `path`; the directory is fsynced so the rename
    /// survives a crash. If `body` or any step throws (a full disk, a read-only folder), the
    /// temporary file is removed and `path` keeps its previous content (or stays absent); a
    /// file-system failure is an `HDF5Error.fileSystem` naming the path and the operation.
    /// One writer per target path per process.
    public static func writeAtomically(to path: String, _ body: (HDF5File) throws -> Void) throws {
        let file = try HDF5File.createInMemory(name: path)
        let bytes: [UInt8]
        do {
            try body(file)
            bytes = try file.image()
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
        let temporary = "\(path).tmp-\(getpid())"
        unlink(temporary)
        do {
            try FileSystem.write(bytes, to: temporary)
            try FileSystem.check("rename", path) { rename(temporary, path) }
            let directory = (path as NSString).deletingLastPathComponent
            try FileSystem.synchronize(directory.isEmpty ? "." : directory)
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
