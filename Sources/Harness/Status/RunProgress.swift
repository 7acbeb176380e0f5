/// Where one run (row × seed) stands, as its result file (or its absence) says.
public enum RunProgress: Equatable, Sendable {
    /// Best test accuracy (percent) and its epoch, when an epoch finished.
    case complete(best: Double?, epoch: Int?)
    /// Training epoch `epoch` (1-based) of `epochs`, or measuring after the last. `unconfirmed`
    /// names the lock's holder (with its age) when it runs on another host, where this process
    /// cannot see whether it is alive.
    case running(epoch: Int, of: Int, unconfirmed: String? = nil)
    /// The file says running, but the process that held its lock on this host is gone (killed,
    /// or the machine went down): `holder` names it.
    case processGone(epoch: Int, of: Int, holder: String)
    case interrupted(StopPoint, epochs: Int)
    case failed(StopPoint)
    case missingData(String)
    case notStarted
    /// The result file exists but cannot be read.
    case unreadable(String)
    /// The result file holds a run of another profile (`found`), not one of the profile asked
    /// about: `fsnn run` at that profile refuses to replace it without `--overwrite`.
    case otherProfile(found: Profile, progress: String)

    /// The progress a result file records, a `running` one checked against its lock's holder.
    init(_ record: RunRecord, lockHolder holder: RunLock.Holder?) {
        let epochs: Int
        if case let .integer(value)? = record.setting("epochs") { epochs = Int(value) } else { epochs = 0 }
        switch record.status {
        case .complete:
            let best = record.bestTestAccuracy
            self = .complete(best: best?.accuracy, epoch: best?.epoch)
        case .running:
            let epoch = min(record.epochs.count + 1, max(epochs, 1))
            if let holder, holder.isGone {
                self = .processGone(epoch: epoch, of: epochs, holder: holder.name)
            } else if let holder, !holder.isOnThisHost {
                self = .running(epoch: epoch, of: epochs, unconfirmed: holder.textWithAge)
            } else {
                self = .running(epoch: epoch, of: epochs)
            }
        case let .interrupted(stop): self = .interrupted(stop, epochs: epochs)
        case let .failed(stop): self = .failed(stop)
        }
    }

    /// `complete`, `running`, `interrupted` (a gone process too), `failed`, `data missing`, `not started`,
    /// `unreadable`, `other profile`.
    public var name: String {
        switch self {
        case .complete: return "complete"
        case .running: return "running"
        case .interrupted, .processGone: return "interrupted"
        case .failed: return "failed"
        case .missingData: return "data missing"
        case .notStarted: return "not started"
        case .unreadable: return "unreadable"
        case .otherProfile: return "other profile"
        }
    }

    /// One line: the name and its detail.
    public var description: String {
        switch self {
        case let .complete(best?, epoch?): return String(format: "complete, best %.2f %% (epoch %d)", best, epoch)
        case .complete: return "complete"
        case let .running(epoch, epochs, nil): return "running, epoch \(epoch)/\(epochs)"
        case let .running(epoch, epochs, holder?):
            return "running?, epoch \(epoch)/\(epochs) (\(holder); on another host, not checked)"
        case let .processGone(epoch, epochs, holder):
            return "interrupted (process gone) in epoch \(epoch)/\(epochs): \(holder) ended without recording; "
                + "fsnn run --resume continues it"
        case let .interrupted(stop, epochs): return "interrupted in epoch \(stop.epoch)/\(epochs), batch \(stop.batch)"
        case let .failed(stop): return "failed in epoch \(stop.epoch), batch \(stop.batch): \(stop.message)"
        case let .missingData(summary): return "data missing: \(summary)"
        case .notStarted: return "not started"
        case let .unreadable(reason): return "unreadable: \(reason)"
        case let .otherProfile(found, progress): return "not run at this profile: the result file is a \(found.rawValue) run (\(progress))"
        }
    }
}
