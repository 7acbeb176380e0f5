import Foundation

/// The command line's output, through `ConsoleStream`, and this process's executable.
public enum Console {
    /// Writes `text` and `terminator` to standard output. What a command prints there is what it
    /// exists to print, so a failed write throws and the command ends with a non-zero status.
    public static func print(_ text: String, terminator: String = "\n") throws(ConsoleError) {
        try ConsoleStream.standardOutput.write(text + terminator)
    }

    /// Writes `line` and a newline to standard error, for diagnostics beside a command's output (a
    /// benchmark's progress, the error a command ends with). A failed write is dropped: there is
    /// nowhere left to report it, and the command's status says how it ended.
    public static func log(_ line: String) {
        try? ConsoleStream.standardError.write(line + "\n")
    }

    /// This executable's path, for child processes.
    public static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// The current directory (whose git revision result files record).
    public static var currentDirectory: String { FileManager.default.currentDirectoryPath }
}
