import Datasets
import Foundation

/// Folders for result and checkpoint files, made with POSIX calls so that a failure is a
/// `RunFileError.fileSystem` naming the folder and the step, not a Foundation error dump.
enum Directories {
    /// Creates `path` and its missing parents (`mkdir -p`); an entry of another kind on the way (a
    /// file, a FIFO, a link loop) is named.
    static func create(_ path: String) throws(RunFileError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix == "/" ? "" : "/") + component
            let kind: FileKind?
            do {
                kind = try FileKind(at: prefix)
            } catch {
                throw .fileSystem(path: prefix, operation: "mkdir", reason: error.reason)
            }
            if kind == .directory { continue }
            if let kind { throw .fileSystem(path: prefix, operation: "mkdir", reason: "not a directory (\(kind))") }
            guard mkdir(prefix, 0o755) == 0 || errno == EEXIST else {
                throw .fileSystem(path: prefix, operation: "mkdir", reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Creates the folder that will hold `file`.
    static func createParent(of file: String) throws(RunFileError) {
        let directory = (file as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        try create(directory)
    }

    /// Proves that files can be created in `directory` by creating and removing one.
    static func checkWritable(_ directory: String) throws(RunFileError) {
        let probe = "\(directory)/.fsnn-write-check-\(getpid())"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .fileSystem(path: directory, operation: "create a file", reason: String(cString: strerror(errno)))
        }
        close(descriptor)
        unlink(probe)
    }

    /// Removes `<target>.tmp-<pid>` files that a process which no longer exists left behind
    /// (a crash or kill -9 during an atomic write); the caller must own `target`'s run.
    static func removeStaleTemporaries(of target: String) {
        let directory = (target as NSString).deletingLastPathComponent
        let prefix = (target as NSString).lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else {
            return
        }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), pid > 0, pid != getpid(),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(directory.isEmpty ? name : "\(directory)/\(name)")
        }
    }
}
