import Foundation

/// Where the process that last wrote a result file ran: the host and, under Slurm, the job.
/// Stored as `/final` attributes (docs/results-layout.md), so `fsnn status` can ask the
/// scheduler about the job a run is in.
public struct RunPlacement: Equatable, Sendable {
    /// The machine's host name.
    public var host: String
    /// The Slurm job, when the process ran in one.
    public var slurmJob: SlurmJobIdentity?

    public init(host: String, slurmJob: SlurmJobIdentity? = nil) {
        self.host = host
        self.slurmJob = slurmJob
    }

    /// This process's host (`gethostname`, no name lookup) and Slurm job.
    public static var current: RunPlacement {
        var name = [UInt8](repeating: 0, count: 256)
        let named = name.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { gethostname($0.baseAddress!, $0.count - 1) == 0 }
        }
        let host = named ? String(decoding: name.prefix { $0 != 0 }, as: UTF8.self) : "unknown"
        return RunPlacement(host: host, slurmJob: SlurmJobIdentity(environment: ProcessInfo.processInfo.environment))
    }
}
