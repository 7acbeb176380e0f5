import Datasets
import Foundation

extension RunLock {
    /// The process that holds (or held) a run's lock, as it wrote itself into the lock file:
    /// `pid 123 on host node1 since 2026-12-02T13:59:00Z`. A holder killed by SIGKILL, or whose
    /// machine went down, leaves the file behind (the kernel drops only the lock), and its result
    /// file says `running` for ever; the holder tells such a run from a live one.
    struct Holder: Equatable, Sendable {
        var pid: pid_t
        var host: String
        var since: Date

        /// This process, now.
        static var current: Holder { Holder(pid: getpid(), host: RunPlacement.current.host, since: Date()) }

        /// "pid 123 on host node1".
        var name: String { "pid \(pid) on host \(host)" }

        /// "pid 123 on host node1 since 2026-12-02T13:59:00Z", the line of the lock file.
        var text: String { "\(name) since \(ISO8601DateFormatter().string(from: since))" }

        init(pid: pid_t, host: String, since: Date) {
            self.pid = pid
            self.host = host
            self.since = since
        }

        /// The holder `text` names; nil when it is not a holder line.
        init?(text: String) {
            let words = text.split(separator: " ").map(String.init)
            guard words.count == 7, words[0] == "pid", words[2] == "on", words[3] == "host", words[5] == "since",
                  let pid = pid_t(words[1]), pid > 0, let since = ISO8601DateFormatter().date(from: words[6]) else { return nil }
            self.init(pid: pid, host: words[4], since: since)
        }

        /// The holder recorded in the lock beside the result file `resultPath`, read without
        /// taking the lock; nil when there is no lock file or it names no holder. A lock path that
        /// is not a regular file is not opened.
        static func read(forResult resultPath: String) -> Holder? {
            let descriptor = open(resultPath + ".lock", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            defer { close(descriptor) }
            var status = stat()
            guard fstat(descriptor, &status) == 0, FileKind(mode: status.st_mode) == .regular else { return nil }
            return Holder(text: recorded(in: descriptor))
        }

        /// What a holder wrote into the open lock file `descriptor` (empty until it has).
        static func recorded(in descriptor: Int32) -> String {
            var bytes = [UInt8](repeating: 0, count: 512)
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
            return String(decoding: bytes.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Whether the holder ran on this host, where its pid can be looked up.
        var isOnThisHost: Bool { host == RunPlacement.current.host }

        /// Whether the holder is known to be gone: it ran on this host and no process has its pid.
        var isGone: Bool { isOnThisHost && kill(pid, 0) != 0 && errno == ESRCH }

        /// "pid 123 on host node1 since 2026-12-02T13:59:00Z, 3h05m ago".
        var textWithAge: String { "\(text), \(ProgressReporter.duration(Date().timeIntervalSince(since))) ago" }

        /// Where a run whose holder is gone stopped, after its `epochs` recorded epochs.
        func stopPoint(afterEpochs epochs: Int) -> StopPoint {
            StopPoint(epoch: epochs + 1, batch: 0,
                      message: "process gone: \(name) ended without recording its end (killed, or the machine went "
                          + "down); fsnn run --resume continues from the last checkpoint")
        }
    }
}
