import Foundation

/// Slurm's client commands, run as processes: `sbatch`, `squeue`, `scontrol`, `scancel`. Each
/// call waits for its command; a command that fails is reported with its command line, its exit
/// status and its error output verbatim (`SlurmCommandError`). The commands find the cluster as
/// usual (`SLURM_CONF`, or Slurm's default configuration).
public struct SlurmClient: Sendable {
    /// The directories searched for the commands, in order (from `PATH`).
    public var searchPath: [String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        searchPath = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
    }

    /// Submits the batch script at `path` (`sbatch --parsable [--dependency=…] path`) and returns
    /// the job id.
    public func submit(_ path: String, dependency: String? = nil) throws(SlurmCommandError) -> Int {
        let arguments = ["--parsable"] + (dependency.map { ["--dependency=\($0)"] } ?? []) + [path]
        let output = try run("sbatch", arguments)
        guard let id = SlurmOutput.jobId(fromSbatch: output) else {
            throw .unexpectedOutput(commandLine: Self.commandLine("sbatch", arguments), output: output,
                                    expected: "a job id, as --parsable prints it")
        }
        return id
    }

    /// Every job of this user that the controller still knows, array tasks one by one
    /// (finished jobs stay listed for the cluster's `MinJobAge`).
    public func jobs() throws(SlurmCommandError) -> [SlurmJobState] {
        let arguments = ["--me", "--noheader", "--array", "--states=all", "--format=\(SlurmOutput.squeueFormat)"]
        let output = try run("squeue", arguments)
        do {
            return try SlurmOutput.jobs(fromSqueue: output)
        } catch {
            throw .unexpectedOutput(commandLine: Self.commandLine("squeue", arguments), output: output,
                                    expected: "\(SlurmOutput.squeueFormat) records (\(error))")
        }
    }

    /// `scontrol requeue <id>`: Slurm stops the job (SIGTERM) and queues it again under the same id.
    public func requeue(_ id: String) throws(SlurmCommandError) {
        _ = try run("scontrol", ["requeue", id])
    }

    /// `scancel <ids…>`.
    public func cancel(_ ids: [String]) throws(SlurmCommandError) {
        _ = try run("scancel", ids)
    }

    /// Runs `tool` with `arguments` to its end; its standard output, or an error with its
    /// standard error verbatim when it exits with a status other than 0.
    public func run(_ tool: String, _ arguments: [String]) throws(SlurmCommandError) -> String {
        let commandLine = Self.commandLine(tool, arguments)
        guard let executable = searchPath.map({ "\($0)/\(tool)" }).first(where: FileManager.default.isExecutableFile) else {
            throw .notFound(tool: tool, searchPath: searchPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .couldNotStart(commandLine: commandLine, reason: "\(error)")
        }
        // Standard error is drained on another thread so that neither pipe can fill and block the tool.
        let errorText = ErrorCollector(errors.fileHandleForReading)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = errorText.wait()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let status = process.terminationReason == .exit ? "exit status \(process.terminationStatus)"
                : "signal \(process.terminationStatus)"
            throw .failed(commandLine: commandLine, status: status, errorOutput: stderr)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `tool arg…`, each argument quoted for a shell when it needs to be.
    static func commandLine(_ tool: String, _ arguments: [String]) -> String {
        ([tool] + arguments).map { word in
            word.allSatisfy({ $0.isLetter || $0.isNumber || "-_=./:,%@+".contains($0) }) && !word.isEmpty
                ? word : SbatchScript.quoted(word)
        }.joined(separator: " ")
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func wait() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A Slurm command that could not be run or did not do what was asked.
public enum SlurmCommandError: Error, Equatable, CustomStringConvertible {
    case notFound(tool: String, searchPath: [String])
    case couldNotStart(commandLine: String, reason: String)
    /// It ran and failed: its exit status and its standard error as it wrote it.
    case failed(commandLine: String, status: String, errorOutput: String)
    case unexpectedOutput(commandLine: String, output: String, expected: String)

    public var description: String {
        switch self {
        case let .notFound(tool, searchPath):
            return "\(tool) is not on PATH (\(searchPath.joined(separator: ":"))): run on a machine with Slurm's client "
                + "commands (a login node of the cluster), or start tools/slurm/local-cluster"
        case let .couldNotStart(commandLine, reason):
            return "could not start `\(commandLine)`: \(reason)"
        case let .failed(commandLine, status, errorOutput):
            let text = errorOutput.trimmingCharacters(in: .newlines)
            return "`\(commandLine)` failed with \(status)" + (text.isEmpty ? " and no error output" : ":\n\(text)")
        case let .unexpectedOutput(commandLine, output, expected):
            return "`\(commandLine)` printed \(output.isEmpty ? "nothing" : "'\(output.trimmingCharacters(in: .newlines))'"); "
                + "expected \(expected)"
        }
    }
}
