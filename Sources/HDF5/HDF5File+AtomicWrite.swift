import Foundation

extension HDF5File {
    /// Writes a complete file at `path` so that `path` is never seen half-written: `body` fills
    /// `<path>.tmp-<pid>` in the same directory, which is then closed, fsynced and renamed over
    /// `path`; the directory is fsynced so the rename survives a crash. If `body` or any step
    /// throws, the temporary file is removed and `path` keeps its previous content (or stays
    /// absent). One writer per target path per process.
    public static func writeAtomically(to path: String, _ body: (HDF5File) throws -> Void) throws {
        let temporary = "\(path).tmp-\(getpid())"
        unlink(temporary)
        do {
            let file = try HDF5File.create(temporary)
            do {
                try body(file)
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
            try FileSystem.synchronize(temporary)
            try FileSystem.check("rename", path) { rename(temporary, path) }
            let directory = (path as NSString).deletingLastPathComponent
            try FileSystem.synchronize(directory.isEmpty ? "." : directory)
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
