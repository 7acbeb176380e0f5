import Foundation
import Tensor

/// The CPU this process runs on, from /proc/cpuinfo (Linux): printed with every benchmark so that
/// numbers are never read against another machine's, and recorded with every run.
public enum Processor {
    /// "AMD EPYC 9R14 (family 25, model 17; AVX2, AVX-512)": the model name, its family and model
    /// numbers (the name alone may be generic, "AMD EPYC"), and the vector extensions.
    public static var identity: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String? {
            info.split(separator: "\n").first { $0.hasPrefix(name) }
                .flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
        let extensions = [("avx2", "AVX2"), ("avx512f", "AVX-512"), ("avx512_bf16", "AVX-512 BF16")]
            .filter { flags.contains($0.0) }.map(\.1)
        var details: [String] = []
        if let family = field("cpu family"), let model = field("model\t") ?? field("model ") {
            details.append("family \(family), model \(model)")
        }
        if !extensions.isEmpty { details.append(extensions.joined(separator: ", ")) }
        let name = field("model name") ?? "unknown CPU"
        return details.isEmpty ? name : "\(name) (\(details.joined(separator: "; ")))"
    }

    /// "AMD EPYC 9R14 (family 25, model 17; AVX2, AVX-512), 2 logical processors, OpenBLAS kernels
    /// `Cooperlake`".
    public static var description: String {
        "\(identity), \(ProcessInfo.processInfo.activeProcessorCount) logical processors, "
            + "OpenBLAS kernels `\(BLAS.coreName)`"
    }
}
