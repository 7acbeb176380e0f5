import ArgumentParser
import Foundation
import Harness

/// `fsnn bench …`: speed measurements (not tests; see the README's Performance section).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the speed of the numeric kernels.",
        subcommands: [Ops.self])

    struct Ops: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "GFLOP/s of sgemm and of the convolution passes, as a Markdown table.")

        @Option(name: .long, parsing: .upToNextOption,
                help: "Thread counts to measure (OpenBLAS threads and convolution workers).")
        var threads: [Int] = [1, 2]

        @Option(help: "Samples per batch.")
        var batch = 128

        @Option(help: "Untimed runs before timing.")
        var warmups = 1

        @Option(help: "Timed runs; median and best are reported.")
        var repetitions = 5

        func validate() throws {
            guard threads.allSatisfy({ $0 >= 1 }), batch >= 1, warmups >= 0, repetitions >= 1 else {
                throw ValidationError("threads, batch and repetitions must be ≥ 1 and warmups ≥ 0")
            }
        }

        func run() throws {
            let benchmark = OpsBenchmark(threadCounts: threads, batch: batch,
                                         stopwatch: Stopwatch(warmups: warmups, repetitions: repetitions))
            let report = try benchmark.run { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            print(report.markdown)
        }
    }
}
