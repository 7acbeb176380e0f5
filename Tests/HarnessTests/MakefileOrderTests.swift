import Foundation
import TestSupport
import Testing

/// The Makefile's targets that read data install the Debian packages first: on a fresh machine
/// the README's first command (`make reproduce-table1 …`) must run `make setup` (which installs
/// dataset-fashion-mnist) before `make data` links `/usr/share/datasets/fashion-mnist`, and both
/// before the release build and the run. `make -n -B` prints the recipes in the order a serial
/// make runs them, without running any.
@Suite struct MakefileOrderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The index of the first printed line containing `marker`, or nil.
    static func position(of marker: String, in lines: [Substring]) -> Int? {
        lines.firstIndex { $0.contains(marker) }
    }

    @Test(arguments: ["reproduce-table1", "reproduce-all", "test-slurm", "bench-compare"])
    func setupRunsBeforeTheDataIsLinkedAndRead(_ target: String) throws {
        let printed = try #require(try runTool("make", ["-C", Self.root, "-n", "-B", target,
                                                        "VENV=/nonexistent-venv", "RESULTS=/nonexistent-results"]),
                                   "make is not installed")
        #expect(printed.status == 0, "\(printed.output)")
        let lines = printed.output.split(separator: "\n")
        let setup = try #require(Self.position(of: "dpkg-query", in: lines), "no setup recipe in: \(printed.output)")
        let link = try #require(Self.position(of: "mkdir -p data", in: lines), "no data recipe in: \(printed.output)")
        #expect(setup < link, "make \(target) links ./data before installing the packages:\n\(printed.output)")
        if let build = Self.position(of: "swift build -c release", in: lines) {
            #expect(link < build, "\(printed.output)")
        }
        for reader in ["fsnn run", "bench_compare.py", "tools/slurm/test-slurm"] {
            if let use = Self.position(of: reader, in: lines) { #expect(link < use, "\(printed.output)") }
        }
    }
}
