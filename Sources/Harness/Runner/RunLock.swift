import Datasets
import Foundation

/// An exclusive claim on one run's result file, so that two processes never write the same run:
/// `flock(LOCK_EX | LOCK_NB)` on `<result>.lock`, which records its holder (`Holder`: pid, host,
/// start). The kernel drops the lock however the process ends; `release` (or deinit) removes the
/// file. A lock path that is not a regular file (a FIFO, a link) is refused, never opened to block.
final class RunLock {
    /// The lock file.
    let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Locks the run whose result file is `resultPath`, creating its folder; throws
    /// `RunnerError.locked` naming the holder when another process has it.
    static func acquire(forResult resultPath: String) throws -> RunLock {
        try Directories.createParent(of: resultPath)
        let path = resultPath + ".lock"
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                let reason = errno == ELOOP ? FileKindError(path: path, notRegular: .symbolicLink).reason
                    : String(cString: strerror(errno))
                throw RunFileError.fileSystem(path: path, operation: "create the lock file", reason: reason)
            }
            var opened = stat()
            let kind = fstat(descriptor, &opened) == 0 ? FileKind(mode: opened.st_mode) : nil
            guard kind == .regular else {
                close(descriptor)
                let reason = kind.map { FileKindError(path: path, notRegular: $0).reason } ?? String(cString: strerror(errno))
                throw RunFileError.fileSystem(path: path, operation: "create the lock file", reason: reason)
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let busy = errno == EWOULDBLOCK
                let reason = String(cString: strerror(errno))
                let holder = busy ? Holder.recorded(in: descriptor) : ""
                close(descriptor)
                if busy { throw RunnerError.locked(result: resultPath, lock: path, holder: holder) }
                throw RunFileError.fileSystem(path: path, operation: "flock", reason: reason)
            }
            // A holder that released meanwhile has unlinked the file this descriptor locks.
            var locked = stat(), named = stat()
            guard fstat(descriptor, &locked) == 0, stat(path, &named) == 0, locked.st_ino == named.st_ino,
                  locked.st_dev == named.st_dev else {
                close(descriptor)
                continue
            }
            let lock = RunLock(path: path, descriptor: descriptor)
            lock.recordHolder()
            return lock
        }
    }

    /// Removes the lock file and drops the lock.
    func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    /// Writes this process as the holder.
    private func recordHolder() {
        let text = Holder.current.text + "\n"
        ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }
}
