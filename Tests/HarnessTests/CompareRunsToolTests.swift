import Foundation
import Harness
import TestSupport
import Testing

/// `tools/compare-runs`: two result files record the same run when they differ at most in when and
/// where it ran (start time, CPU, host, seconds per epoch); any other difference, or an object in
/// one file only, says they do not.
@Suite struct CompareRunsToolTests {
    static let tool = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/compare-runs").path

    /// The tool's exit status and output for two records written as result files.
    func compare(_ first: RunRecord, _ second: RunRecord) throws -> (status: Int32, output: String)? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/h5diff") else { return nil }
        let directory = try TemporaryDirectory()
        try ResultStore.write(first, to: directory.file("a.h5"))
        try ResultStore.write(second, to: directory.file("b.h5"))
        let (process, pipe) = try launch("/bin/bash", [Self.tool, directory.file("a.h5"), directory.file("b.h5")])
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func whenAndWhereMayDifferNothingElse() throws {
        let run = syntheticRecord()
        var rerun = run
        rerun.provenance.started = "2031-01-01T00:00:00Z"
        rerun.provenance.cpu = "Other CPU (family 9, model 9; AVX2)"
        let same = try #require(try compare(run, rerun), "h5diff (hdf5-tools) is not installed")
        #expect(same.status == 0, "\(same.output)")
        #expect(same.output.contains("when/where (allowed): attribute: <started of </config>>"), "\(same.output)")

        let otherAccuracy = syntheticRecord(testAccuracies: [97.5, 98.75, 98.25])
        let different = try #require(try compare(run, otherAccuracy))
        #expect(different.status == 1, "\(different.output)")
        #expect(different.output.contains("differs: dataset: </epochs/test_acc>"), "\(different.output)")

        let withPredictions = syntheticRecord(predictions: [1, 2, 3])
        let extra = try #require(try compare(run, withPredictions))
        #expect(extra.status == 1, "\(extra.output)")
        #expect(extra.output.contains("differs: in one file only: /predictions"), "\(extra.output)")
    }
}
