import ArgumentParser
import Datasets
import Foundation

/// `fsnn data …`: inspect the datasets under the data root.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect the datasets under the data root.",
        subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every dataset: presence, validity, sample counts, label histograms, checksums.",
            discussion: "Exits with status 1 when a dataset that is present is incomplete, invalid or has a wrong checksum; missing datasets are reported but are not an error.")

        @Option(name: .customLong("data-dir"),
                help: "Folder with one sub-folder per dataset (default: $FSNN_DATA, else ./data).")
        var dataDirectory: String?

        @Argument(help: "Datasets to check (default: all): \(DatasetName.allCases.map(\.rawValue).joined(separator: ", ")).")
        var datasets: [String] = []

        func validate() throws {
            for name in datasets where DatasetName(rawValue: name) == nil {
                throw ValidationError("unknown dataset '\(name)'")
            }
        }

        func run() throws {
            let names = datasets.compactMap(DatasetName.init(rawValue:))
            let root = DataRoot.resolve(dataDirectory: dataDirectory)
            let results = DataVerification.verify(names.isEmpty ? DatasetName.allCases : names, root: root)
            print(DataVerification.report(results, root: root))
            if DataVerification.hasProblems(results) { throw ExitCode(1) }
        }
    }
}
