import Foundation
import Tensor

/// The process's compute threads: OpenBLAS's and those of fsnn's own parallel loops. The
/// command line sets them here, once, before any work.
public enum ComputeThreads {
    /// At most this many threads: more than any machine this project runs on has cores.
    public static let maximum = 256

    /// Sets OpenBLAS threads and parallel workers to `threads` (when given), then the workers
    /// to `workers` (when given). Both must be in 1…`maximum`.
    public static func set(threads: Int?, workers: Int? = nil) throws(ComputeThreadsError) {
        for (option, value) in [("--threads", threads), ("--workers", workers)] {
            if let value, !(1...maximum).contains(value) { throw ComputeThreadsError(option: option, value: value) }
        }
        if let threads {
            BLAS.threadCount = threads
            Parallel.workerCount = threads
        }
        if let workers { Parallel.workerCount = workers }
    }

    /// "OpenBLAS Haswell × 2 thread(s), 2 worker(s)".
    public static var description: String {
        "OpenBLAS \(BLAS.coreName) × \(BLAS.threadCount) thread(s), \(Parallel.workerCount) worker(s)"
    }

    /// The line benchmarks print first: the BLAS kernel family, threads, and `OPENBLAS_CORETYPE`.
    public static var benchmarkDescription: String {
        "\(description); OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")"
    }
}

/// A thread count outside 1…`ComputeThreads.maximum`.
public struct ComputeThreadsError: Error, Equatable, CustomStringConvertible {
    public let option: String
    public let value: Int

    public var description: String {
        "\(option) \(value): threads must be in 1…\(ComputeThreads.maximum) (one per core; this machine has "
            + "\(ProcessInfo.processInfo.activeProcessorCount))"
    }
}
