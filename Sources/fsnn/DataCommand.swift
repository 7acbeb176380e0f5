import ArgumentParser
import Harness

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

        @Argument(help: "Datasets to check (default: all).")
        var datasets: [DatasetName] = []

        func run() throws {
            let report = DataReport.verify(datasets, root: DataRoot.resolve(dataDirectory: dataDirectory))
            try Console.print(report.text)
            if report.hasProblems { throw ExitCode(1) }
        }
    }
}
