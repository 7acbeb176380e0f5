/// Where one run (row × seed) stands, as its result file (or its absence) says.
public enum RunProgress: Equatable, Sendable {
    /// Best test accuracy (percent) and its epoch, when an epoch finished.
    case complete(best: Double?, epoch: Int?)
    /// Training epoch `epoch` (1-based) of `epochs`, or measuring after the last.
    case running(epoch: Int, of: Int)
    case interrupted(StopPoint, epochs: Int)
    case failed(StopPoint)
    case missingData(String)
    case notStarted
    /// The result file exists but cannot be read.
    case unreadable(String)

    /// The progress a result file records.
    public init(_ record: RunRecord) {
        let epochs: Int
        if case let .integer(value)? = record.setting("epochs") { epochs = Int(value) } else { epochs = 0 }
        switch record.status {
        case .complete:
            let best = record.bestTestAccuracy
            self = .complete(best: best?.accuracy, epoch: best?.epoch)
        case .running: self = .running(epoch: min(record.epochs.count + 1, max(epochs, 1)), of: epochs)
        case let .interrupted(stop): self = .interrupted(stop, epochs: epochs)
        case let .failed(stop): self = .failed(stop)
        }
    }

    /// `complete`, `running`, `interrupted`, `failed`, `data missing`, `not started`, `unreadable`.
    public var name: String {
        switch self {
        case .complete: return "complete"
        case .running: return "running"
        case .interrupted: return "interrupted"
        case .failed: return "failed"
        case .missingData: return "data missing"
        case .notStarted: return "not started"
        case .unreadable: return "unreadable"
        }
    }

    /// One line: the name and its detail.
    public var description: String {
        switch self {
        case let .complete(best?, epoch?): return String(format: "complete, best %.2f %% (epoch %d)", best, epoch)
        case .complete: return "complete"
        case let .running(epoch, epochs): return "running, epoch \(epoch)/\(epochs)"
        case let .interrupted(stop, epochs): return "interrupted in epoch \(stop.epoch)/\(epochs), batch \(stop.batch)"
        case let .failed(stop): return "failed in epoch \(stop.epoch), batch \(stop.batch): \(stop.message)"
        case let .missingData(summary): return "data missing: \(summary)"
        case .notStarted: return "not started"
        case let .unreadable(reason): return "unreadable: \(reason)"
        }
    }
}
