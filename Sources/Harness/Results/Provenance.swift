import Foundation
import HDF5
import Tensor

/// Where and from what a run was made: enough to tell two result files' conditions apart.
public struct Provenance: Equatable, Sendable {
    /// `git describe --always` of the source tree, `-dirty` when it differed from that commit
    /// outside `results/`; "unknown" without git.
    public var gitRevision: String
    public var fsnnVersion: String
    /// The dataset actually read (e.g. `cifar10-subset` when the full CIFAR-10 was not found).
    public var datasetUsed: String
    public var trainSamples: Int
    public var testSamples: Int
    /// The training subset and the test samples evaluated (after a cap on the test batches).
    public var trainSelection: SampleSelection
    public var testSelection: SampleSelection
    /// The data files read, relative to the data root, with their checksums.
    public var dataFiles: [DataFileChecksum]
    public var hdf5Version: String
    /// OpenBLAS's kernel family and build configuration.
    public var blasCore: String
    public var blasConfiguration: String
    /// The CPU (`Processor.identity`); nil in files written before it was recorded.
    public var cpu: String?
    /// Cores of the machine; threads of OpenBLAS and of fsnn's own parallel loops.
    public var machineCores: Int
    public var blasThreads: Int
    public var workerThreads: Int
    /// Start of the run, ISO 8601 in UTC.
    public var started: String

    /// Run-specific facts from the caller; library versions, threads and cores from this process.
    public init(gitRevision: String, fsnnVersion: String, datasetUsed: String, trainSamples: Int, testSamples: Int,
                trainSelection: SampleSelection, testSelection: SampleSelection, dataFiles: [DataFileChecksum],
                started: Date = Date()) {
        self.gitRevision = gitRevision
        self.fsnnVersion = fsnnVersion
        self.datasetUsed = datasetUsed
        self.trainSamples = trainSamples
        self.testSamples = testSamples
        self.trainSelection = trainSelection
        self.testSelection = testSelection
        self.dataFiles = dataFiles
        hdf5Version = HDF5Library.version
        blasCore = BLAS.coreName
        blasConfiguration = BLAS.configuration
        cpu = Processor.identity
        machineCores = ProcessInfo.processInfo.activeProcessorCount
        blasThreads = BLAS.threadCount
        workerThreads = Parallel.workerCount
        self.started = ISO8601DateFormatter().string(from: started)
    }

    /// `git describe --always --abbrev=12` in `directory`, with `-dirty` when tracked files differ
    /// from that commit outside `results/` (the committed record: a run that writes its result
    /// file inside the checkout does not make the code it ran dirty); "unknown" when git or the
    /// repository is unavailable.
    public static func gitRevision(of directory: String) -> String {
        guard let (status, described) = git(["describe", "--always", "--abbrev=12"], in: directory), status == 0,
              !described.isEmpty else { return "unknown" }
        let changed = git(["diff", "--quiet", "HEAD", "--", ".", ":(exclude)results"], in: directory)
        return changed?.status == 0 ? described : described + "-dirty"
    }

    /// Runs git in `directory`: its exit status and standard output without surrounding
    /// whitespace, or nil when git cannot be started.
    private static func git(_ arguments: [String], in directory: String) -> (status: Int32, output: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// One data file and its checksum, written as `algorithm:hex` (e.g. `md5:6bbc9ace…`).
public struct DataFileChecksum: Equatable, Sendable {
    public var file: String
    public var checksum: String

    public init(file: String, checksum: String) {
        self.file = file
        self.checksum = checksum
    }
}
