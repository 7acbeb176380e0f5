import Foundation
import Tensor

/// The CPU a benchmark ran on, printed with every benchmark so that numbers are never read
/// against another machine's: the model name and vector extensions from /proc/cpuinfo (Linux),
/// the logical processors, and the kernel family OpenBLAS chose for it.
public enum Processor {
    /// "AMD EPYC 9R14 (AVX2, AVX-512), 2 logical processors, OpenBLAS kernels `Cooperlake`".
    public static var description: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String? {
            info.split(separator: "\n").first { $0.hasPrefix(name) }
                .flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
        let extensions = [("avx2", "AVX2"), ("avx512f", "AVX-512"), ("avx512_bf16", "AVX-512 BF16")]
            .filter { flags.contains($0.0) }.map(\.1)
        let model = field("model name") ?? "unknown CPU"
        let vector = extensions.isEmpty ? "" : " (\(extensions.joined(separator: ", ")))"
        return "\(model)\(vector), \(ProcessInfo.processInfo.activeProcessorCount) logical processors, "
            + "OpenBLAS kernels `\(BLAS.coreName)`"
    }
}
