/// Console output that was lost.
public enum ConsoleError: Error, Equatable, CustomStringConvertible {
    /// Writing to `stream` ("standard error") failed: a full disk, a closed pipe, or a stop
    /// request while the reader was not reading.
    case writeFailed(stream: String, reason: String)

    public var description: String {
        switch self {
        case let .writeFailed(stream, reason): return "\(stream): write failed: \(reason)"
        }
    }
}
