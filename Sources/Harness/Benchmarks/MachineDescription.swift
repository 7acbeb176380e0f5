import Foundation
import Tensor

/// What a benchmark ran on, printed with every benchmark: machines of this project's kind differ
/// from session to session (Zen 2 with AVX2 once, Cooper Lake with AVX-512 another time), so
/// numbers are only comparable within one run.
public enum MachineDescription {
    /// The CPU model from /proc/cpuinfo ("unknown CPU" elsewhere), with its widest vector extension.
    public static var processor: String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        let lines = info.split(separator: "\n")
        func field(_ name: String) -> String? {
            lines.first { $0.hasPrefix(name) }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
        let vector = flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2" : "no AVX2"
        return "\(field("model name") ?? "unknown CPU") (\(vector))"
    }

    /// One line: CPU, cores, OpenBLAS core and threads, workers, OPENBLAS_* variables as found.
    public static var summary: String {
        let environment = ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("OPENBLAS_") }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return "CPU \(processor), \(BLAS.processorCount) processors; OpenBLAS core \(BLAS.coreName) with "
            + "\(BLAS.threadCount) thread(s); \(Parallel.workerCount) worker(s); OPENBLAS_* environment: "
            + (environment.isEmpty ? "none set" : environment.joined(separator: " "))
    }
}
