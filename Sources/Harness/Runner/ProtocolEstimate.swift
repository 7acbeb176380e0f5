import Foundation
import Tensor

/// What a profile's runs of one experiment file take on the machine that probed them, kept as
/// `<results>/<table>/estimate-<profile>.json` by `fsnn run --dry-run --save-estimate` so that
/// the report can set the compute a row spent beside what its protocol would cost. Per row, one
/// probe (`RunEstimate`): seconds per training iteration after one warm-up, and seconds per epoch
/// (training batches × that, plus the test batches); a run is epochs × seconds per epoch.
public struct ProtocolEstimate: Codable, Equatable, Sendable {
    public struct Row: Codable, Equatable, Sendable {
        public var row: String
        public var seeds: Int
        public var epochs: Int
        public var batchesPerEpoch: Int
        public var secondsPerIteration: Double
        public var secondsPerEpoch: Double

        public init(row: String, seeds: Int, epochs: Int, batchesPerEpoch: Int, secondsPerIteration: Double,
                    secondsPerEpoch: Double) {
            (self.row, self.seeds, self.epochs, self.batchesPerEpoch) = (row, seeds, epochs, batchesPerEpoch)
            (self.secondsPerIteration, self.secondsPerEpoch) = (secondsPerIteration, secondsPerEpoch)
        }

        /// Seconds of one run of all its epochs.
        public var secondsPerRun: Double { Double(epochs) * secondsPerEpoch }

        private enum CodingKeys: String, CodingKey {
            case row, seeds, epochs
            case batchesPerEpoch = "batches_per_epoch", secondsPerIteration = "seconds_per_iteration"
            case secondsPerEpoch = "seconds_per_epoch"
        }
    }

    public var table: String
    public var profile: String
    /// ISO 8601, UTC.
    public var measured: String
    public var gitRevision: String
    public var cpu: String
    public var cores: Int
    /// The probe's OpenBLAS threads and workers.
    public var threads: Int
    public var blasCore: String
    public var probeIterations: Int
    public var rows: [Row]

    private enum CodingKeys: String, CodingKey {
        case table, profile, measured, cpu, cores, threads, rows
        case gitRevision = "git_revision", blasCore = "blas_core", probeIterations = "probe_iterations"
    }

    public init(table: String, profile: String, gitRevision: String, probeIterations: Int, rows: [Row],
                measured: Date = Date()) {
        self.table = table
        self.profile = profile
        self.measured = ISO8601DateFormatter().string(from: measured)
        self.gitRevision = gitRevision
        cpu = Processor.identity
        cores = ProcessInfo.processInfo.activeProcessorCount
        threads = max(BLAS.threadCount, Parallel.workerCount)
        blasCore = BLAS.coreName
        self.probeIterations = probeIterations
        self.rows = rows
    }

    public static func path(in resultsRoot: String, table: String, profile: String) -> String {
        "\(resultsRoot)/\(table)/estimate-\(profile).json"
    }

    public func write(in resultsRoot: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try OutputFile.write(String(decoding: try encoder.encode(self), as: UTF8.self) + "\n",
                             to: Self.path(in: resultsRoot, table: table, profile: profile))
    }

    /// The estimate at `path`; nil when there is none, an error naming the file when it cannot be
    /// read or is not an estimate.
    public static func read(_ path: String) throws(RunFileError) -> ProtocolEstimate? {
        guard OutputFile.exists(path) else { return nil }
        try OutputFile.checkReadable(path)
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw RunFileError(path: path, operation: "read", error) }
        do {
            return try JSONDecoder().decode(ProtocolEstimate.self, from: data)
        } catch {
            throw .invalidLayout(file: path, object: "estimate", reason: "not an fsnn estimate (\(error))")
        }
    }
}
