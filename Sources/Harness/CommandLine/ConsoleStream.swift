import Foundation

/// Standard output or standard error, written with write(2), so that a write that fails (a full
/// disk or quota under a Slurm output file, /dev/full, a closed pipe) is a `ConsoleError` and
/// never a trap, as it is in corelibs Foundation's `FileHandle.write`. Every line fsnn prints
/// goes through one of the two.
///
/// Before each piece it waits until the stream can take bytes, looking at the interrupt flag
/// meanwhile: a stop request is then honoured even while the reader has stopped reading (a full
/// pipe, a terminal held by Ctrl-S), and the write gives up. A stream that can take bytes is
/// written to whether or not a stop was requested, so the lines that record a stop still appear.
public struct ConsoleStream: Sendable {
    public let descriptor: Int32
    /// "standard output" or "standard error", for messages.
    public let name: String

    public static let standardOutput = ConsoleStream(descriptor: STDOUT_FILENO, name: "standard output")
    public static let standardError = ConsoleStream(descriptor: STDERR_FILENO, name: "standard error")

    /// Milliseconds between looks at the interrupt flag while the stream cannot take bytes.
    static let pollInterval: Int32 = 250

    /// Writes all of `text`, in pieces of at most `PIPE_BUF` bytes (which a pipe that polls
    /// writable takes without blocking); `interrupt` is the flag that ends a wait.
    public func write(_ text: String, interrupt: InterruptFlag = .process) throws(ConsoleError) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            try waitUntilWritable(interrupt)
            let count = min(Int(PIPE_BUF), bytes.count - offset)
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, count) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw failure(String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    private func waitUntilWritable(_ interrupt: InterruptFlag) throws(ConsoleError) {
        var request = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        while true {
            // POLLERR, POLLHUP and POLLNVAL count as ready: the write then says what is wrong.
            let ready = poll(&request, 1, Self.pollInterval)
            if ready > 0 { return }
            if ready < 0, errno != EINTR { throw failure(String(cString: strerror(errno))) }
            if let signal = interrupt.signalName { throw failure("\(signal) arrived while its reader was not reading") }
        }
    }

    private func failure(_ reason: String) -> ConsoleError { .writeFailed(stream: name, reason: reason) }
}
