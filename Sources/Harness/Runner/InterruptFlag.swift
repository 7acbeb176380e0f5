#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A request to stop training, raised by SIGINT or SIGTERM (or set directly). A run checks it
/// between training batches and after each epoch: it then records itself as `interrupted`, keeps
/// its last epoch checkpoint, and the runner starts no further runs.
public final class InterruptFlag: Sendable {
    /// The signal that set the flag (0 while unset).
    private let signalNumber = Atomic<Int32>(0)

    public init() {}

    /// The flag that `installSignalHandlers` connects to the process's signals.
    public static let process = InterruptFlag()
    /// Whether a second signal ends the process at once.
    private static let exitsOnRepeat = Atomic<Bool>(true)

    public var isSet: Bool { signalNumber.load(ordering: .acquiring) != 0 }

    /// "SIGINT", "SIGTERM" or "signal <n>" for the signal that set the flag; nil while unset.
    public var signalName: String? {
        switch signalNumber.load(ordering: .acquiring) {
        case 0: return nil
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGUSR1: return "SIGUSR1"
        case let number: return "signal \(number)"
        }
    }

    /// Whether the flag was set by SIGUSR1, Slurm's warning before a task's time limit
    /// (`--signal=B:USR1@…`, `SlurmArrayTask`).
    public var isTimeLimitWarning: Bool { signalNumber.load(ordering: .acquiring) == SIGUSR1 }

    /// Sets the flag as if `signal` had arrived.
    public func request(signal: Int32 = SIGINT) {
        signalNumber.store(signal, ordering: .releasing)
    }

    /// Routes SIGINT and SIGTERM to `process`, and unblocks them in the calling thread (a process
    /// may inherit them blocked from its parent's thread). With `exitOnRepeat`, a second signal
    /// ends the process immediately with status 128 + signal (a user pressing Ctrl-C twice); child
    /// processes of a parallel run pass false, because their parent forwards the signal the
    /// terminal already delivered to them. Call it early, before other threads start.
    /// With `timeLimitWarning`, SIGUSR1 sets the flag too (a Slurm array task).
    ///
    /// SIGPIPE is ignored: a write to a pipe whose reader is gone then fails with EPIPE, which the
    /// run records (`ConsoleStream`), instead of ending the process unrecorded.
    public static func installSignalHandlers(exitOnRepeat: Bool, timeLimitWarning: Bool = false) {
        signal(SIGPIPE, SIG_IGN)
        exitsOnRepeat.store(exitOnRepeat, ordering: .releasing)
        let numbers = [SIGINT, SIGTERM] + (timeLimitWarning ? [SIGUSR1] : [])
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for number in numbers {
            sigaddset(&unblocked, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        for number in numbers {
            signal(number) { received in
                let (exchanged, _) = InterruptFlag.process.signalNumber.compareExchange(
                    expected: 0, desired: received, ordering: .acquiringAndReleasing)
                if !exchanged, InterruptFlag.exitsOnRepeat.load(ordering: .acquiring) { _exit(128 + received) }
            }
        }
    }
}
